/* exitcode.exe N: exits with status N (decimal, or 0x... hex; a negative
 * number wraps to 32 bits as strtoul does, so NTSTATUS values can be given
 * either way). No argument: 0. */
#include <stdlib.h>

int main(int argc, char **argv)
{
  if (argc < 2)
    return 0;
  return (int)strtoul(argv[1], NULL, 0);
}
