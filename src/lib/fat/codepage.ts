/**
 * OEM code pages for short names. Short names are bytes in the volume's OEM
 * code page, which the disk does not record: Windows in the US and Linux
 * (codepage=437) assume 437, mtools and Western European Windows 850. Names
 * are kept as byte strings internally and only decoded for display and
 * lookup, so an entry is always rewritten with exactly the bytes it had.
 * (This library never *creates* non-ASCII short names: such characters
 * become "_" with a long name beside them.)
 */
export type OemCodePage = 437 | 850;

// Upper halves (0x80..0xFF); the lower half is ASCII in both.
const HIGH: Record<OemCodePage, string> = {
  437: 'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0',
  850: 'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜø£Ø×ƒáíóúñÑªº¿®¬½¼¡«»░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐└┴┬├─┼ãÃ╚╔╩╦╠═╬¤ðÐÊËÈıÍÎÏ┘┌█▄¦Ì▀ÓßÔÒõÕµþÞÚÛÙýÝ¯´\u00ad±‗¾¶§÷¸°¨·¹³²■\u00a0',
};

/** Decodes a byte string (one char per byte, as short names are held) from the OEM code page. */
export function decodeOem(bytes: string, cp: OemCodePage): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes.charCodeAt(i);
    out += b < 0x80 ? bytes[i] : HIGH[cp][b - 0x80]!;
  }
  return out;
}
