/*
 * Case mapping of UTF-16 code units for case-insensitive names (object
 * names, file names). NT uses a full table from the NLS files; until those
 * exist this covers the scripts people actually type in names: ASCII,
 * Latin-1, Latin Extended-A, Greek and Cyrillic. Everything else maps to
 * itself, which is what NT does for characters without a case too.
 */
#define NEPTUNE_BUILDING_NTDLL 1
#include <nt.h>

WCHAR NTAPI RtlUpcaseUnicodeChar(WCHAR c)
{
  if (c < 'a')
    return c;
  if (c <= 'z')
    return c - 0x20;
  if (c < 0xE0)
    return c == 0xB5 ? 0x39C : c; /* micro sign → Greek capital mu */
  if (c <= 0xFE)
    return c == 0xF7 ? c : c - 0x20; /* 0xF7 is the division sign */
  if (c == 0xFF)
    return 0x178;
  if (c >= 0x100 && c <= 0x17F) {
    /* Latin Extended-A alternates capital/small in pairs, with the pairing
     * offset by one in 0x139..0x148 and 0x179..0x17E. */
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
      return (c & 1) ? c : c - 1;
    if (c == 0x131 || c == 0x138 || c == 0x149)
      return c == 0x131 ? 'I' : c;
    if (c == 0x17F)
      return 'S';
    return (c & 1) ? c - 1 : c;
  }
  if (c >= 0x3B1 && c <= 0x3CB)
    return c == 0x3C2 ? 0x3A3 : c - 0x20; /* final sigma → capital sigma */
  if (c >= 0x430 && c <= 0x44F)
    return c - 0x20;
  if (c >= 0x450 && c <= 0x45F)
    return c - 0x50;
  return c;
}

WCHAR NTAPI RtlDowncaseUnicodeChar(WCHAR c)
{
  if (c < 'A')
    return c;
  if (c <= 'Z')
    return c + 0x20;
  if (c >= 0xC0 && c <= 0xDE)
    return c == 0xD7 ? c : c + 0x20; /* 0xD7 is the multiplication sign */
  if (c == 0x178)
    return 0xFF;
  if (c >= 0x100 && c <= 0x17F) {
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
      return (c & 1) ? c + 1 : c;
    if (c == 0x130 || c == 0x138 || c == 0x149 || c == 0x17F)
      return c == 0x130 ? 'i' : c;
    return (c & 1) ? c : c + 1;
  }
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2)
    return c + 0x20;
  if (c >= 0x410 && c <= 0x42F)
    return c + 0x20;
  if (c >= 0x400 && c <= 0x40F)
    return c + 0x50;
  return c;
}
