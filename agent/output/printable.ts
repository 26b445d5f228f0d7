// Every string in a scan report that came from the scanned host is attacker-controlled: any user
// can set a process's comm (prctl PR_SET_NAME) or create a file whose name holds an escape
// sequence, and printing that raw to an administrator's terminal lets it rewrite the screen,
// set the window title or hide lines. Nagios and log viewers split on newlines. So the text
// outputs show control characters, line separators and bidirectional overrides ("Trojan
// Source") as visible escapes. Backslashes are left alone: systemd unit names legitimately
// contain `\x2d`, and users expect to see them as systemctl prints them.

/** The text with C0/C1 controls, DEL, line separators and bidi controls shown as `\xNN` / `\u{NNNN}`. */
export function printable(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (!isUnsafe(code)) {
      out += char;
    } else if (code <= 0xff) {
      out += `\\x${code.toString(16).padStart(2, '0')}`;
    } else {
      out += `\\u{${code.toString(16)}}`;
    }
  }
  return out;
}

function isUnsafe(code: number): boolean {
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x061c || // Arabic letter mark
    code === 0x200e || // left-to-right mark
    code === 0x200f || // right-to-left mark
    code === 0x2028 || // line separator
    code === 0x2029 || // paragraph separator
    (code >= 0x202a && code <= 0x202e) || // embeddings and overrides
    (code >= 0x2066 && code <= 0x2069) // isolates
  );
}
