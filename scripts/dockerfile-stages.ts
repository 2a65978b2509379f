/**
 * Reads a Dockerfile into stages of instructions: enough for scripts/docker-smoke.ts to replay
 * the build without Docker, and for test/deploy to check the image's rules. Handles line
 * continuations, comments, `ARG` defaults in `FROM`, and JSON (exec) form arguments.
 */
export interface Instruction {
  keyword: string;
  /** The arguments as written (continuations joined). */
  args: string;
  /** Exec-form arguments, when `args` is a JSON array. */
  json: string[] | undefined;
  /** `--from=build`, `--chown=…` and other leading flags. */
  flags: Record<string, string>;
  line: number;
}

export interface Stage {
  name: string;
  base: string;
  instructions: Instruction[];
}

function parseJsonArray(text: string): string[] | undefined {
  if (!text.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
  } catch {
    return undefined;
  }
}

function splitFlags(args: string): { flags: Record<string, string>; rest: string } {
  const flags: Record<string, string> = {};
  let rest = args;
  for (let m = /^--([a-z-]+)=(\S+)\s+/.exec(rest); m !== null; m = /^--([a-z-]+)=(\S+)\s+/.exec(rest)) {
    flags[m[1]!] = m[2]!;
    rest = rest.slice(m[0].length);
  }
  return { flags, rest };
}

export function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) {
      line = line.slice(0, -1);
      const next = lines[++i]!.trim();
      if (!next.startsWith('#')) line += ` ${next}`;
    }
    const m = /^(\S+)\s*(.*)$/.exec(line)!;
    const keyword = m[1]!.toUpperCase();
    const { flags, rest } = splitFlags(m[2]!.trim());
    const ins: Instruction = { keyword, args: rest, json: parseJsonArray(rest), flags, line: start + 1 };
    if (keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      if (from === null) throw new Error(`line ${start + 1}: cannot read FROM ${rest}`);
      const base = from[1]!.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a?: string, b?: string) => globalArgs[(a ?? b)!] ?? '');
      stages.push({ name: from[2] ?? String(stages.length), base, instructions: [] });
    } else if (stages.length === 0) {
      if (keyword !== 'ARG') throw new Error(`line ${start + 1}: ${keyword} before FROM`);
      const [name, value = ''] = rest.split('=', 2);
      globalArgs[name!] = value;
    } else {
      stages[stages.length - 1]!.instructions.push(ins);
    }
  }
  return { args: globalArgs, stages };
}
