// Shell-injection payloads: each would create the marker file if user text ever reached a shell as
// code. Built from the usual tricks (separators, substitutions, quotes breaking out, redirections,
// newlines, globbing, variable expansion, encodings) around one absolute marker path.
export function injectionPayloads(marker: string): string[] {
  const m = marker
  const touch = `touch ${m}`
  const breakouts = [
    `; ${touch}`, `;${touch};`, `&& ${touch}`, `|| ${touch}`, `| ${touch}`, `& ${touch} &`, `&${touch}&`,
    `$(${touch})`, `\`${touch}\``, `$( ${touch} )`, `$(: ; ${touch})`, `$(sh -c '${touch}')`,
    `'; ${touch}; '`, `"; ${touch}; "`, `'$(${touch})'`, `"$(${touch})"`, `'"$(${touch})"'`, `"'\`${touch}\`'"`,
    `\\'; ${touch}; #`, `\\"; ${touch}; #`, `'\\''; ${touch}; '\\''`, `\\$(${touch})`, `\\\`${touch}\\\``,
    `\n${touch}`, `x\n${touch}\n`, `\r\n${touch}`, `x\r${touch}`, `\t;${touch}`, `%0a${touch}`, `%0d%0a${touch}`,
    `> ${m}`, `>${m}`, `>> ${m}`, `2>${m}`, `&>${m}`, `< /etc/passwd > ${m}`, `| tee ${m}`, `; cp /etc/hostname ${m}`,
    `<(${touch})`, `>(${touch})`, `$((0))$(${touch})`, `\${IFS}; touch\${IFS}${m}`, `;{touch,${m}}`, `{touch,${m}}`,
    `;/bin/sh -c "${touch}"`, `; exec ${touch}`, `; eval '${touch}'`, `; eval "$(printf 'touch ${m}')"`,
    `; echo dG91Y2g= | base64 -d | sh`, `; printf '\\164\\157\\165\\143\\150 ${m}' | sh`, `$(printf '\\x74ouch ${m}')`,
    `; ${touch} #`, `-- ; ${touch}`, `--help; ${touch}`, `-n; ${touch}`, `-e '${touch}'`, `; set -- ${m}; touch "$1"`,
    `a'b"c\`d$(${touch})e`, `' || ${touch} || '`, `" || ${touch} || "`, `'&&${touch}&&'`, `"&&${touch}&&"`,
    `$(IFS=_;cmd=touch_${m};$cmd)`, `; ${touch.replace(' ', '\t')}`, `;\n${touch}`, `$'\\x3b' ${touch}`,
    `'$'\\''; ${touch}'`, `; alias x='${touch}'; x`, `; f(){ ${touch}; }; f`, `; trap '${touch}' EXIT`,
    `\`\`${touch}\`\``, `$(\`${touch}\`)`, `$($(${touch}))`, `'";${touch};"'`, `"';${touch};'"`,
    `；${touch}`, `’; ${touch}; ’`, `“; ${touch}; ”`, `\u2028${touch}`, `\u0085${touch}`,
    `; ${touch} 2>/dev/null`, `;nohup ${touch} &`, `; (${touch})`, `; { ${touch}; }`, `; ! ${touch}`,
    `; [ 1 ] && ${touch}`, `; test 1 && ${touch}`, `; true && ${touch}`, `; false || ${touch}`,
    `$(${touch} && echo owned)`, `$(cat /etc/passwd > ${m})`, `\`cp /etc/hostname ${m}\``,
  ]
  const literals = [
    '$HOME', '${HOME}', '$PATH', '$ARG', '${ARG}', '"$ARG"', '$0', '$$', '$?', '$!', '$@', '$*', '$#', '$-', '$_',
    '!!', '!-1', '*', '?', '~', '~root', '[a-z]*', '\\', "'", '"', '`', "''", '""', '\\n', '\\x41', '%s%s%s%n', '%x %d',
    '%b', '\\c', '-n', '-e', '--', 'echo hi', 'a\u0001b\u001fc\u007f', '<script>alert(1)</script>', '{"text":"x"}', '"}', '\\"',
    'emoji 👋🏽 and 中文 and ﷽', '\t leading tab', 'trailing spaces   ', '  two leading spaces',
  ]
  const long = `$(touch ${m});`.repeat(40)
  const all = [...breakouts, ...literals, long]
  return [...new Set(all)]
}
