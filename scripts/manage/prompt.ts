/** Reading a password for the operator CLI: from standard input, or typed at a terminal without echo. */
import { createInterface } from "node:readline/promises";
import { CliError } from "./d1";

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

/** Reads one line at the terminal with echo off. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stdout.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let value = "";
    const onData = (data: Buffer) => {
      for (const char of data.toString("utf8")) {
        if (char === "\r" || char === "\n") {
          finish();
          return resolve(value);
        }
        if (char === "\u0003") {
          finish();
          return reject(new CliError("cancelled"));
        }
        value = char === "\u007f" || char === "\b" ? value.slice(0, -1) : value + char;
      }
    };
    const finish = () => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stdout.write("\n");
    };
    stdin.on("data", onData);
  });
}

/** The new password: `--password-stdin` reads it from standard input, else it is asked for twice. */
export async function readNewPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin) return readAllStdin();
  if (!process.stdin.isTTY) throw new CliError("no terminal to ask for the password: pipe it in with --password-stdin");
  const first = await promptHidden("Password: ");
  const second = await promptHidden("Password (again): ");
  if (first !== second) throw new CliError("the two passwords differ");
  return first;
}

/** Asks a visible question at the terminal (for a missing username). */
export async function ask(question: string): Promise<string> {
  if (!process.stdin.isTTY) throw new CliError(`missing ${question.replace(/:\s*$/, "").toLowerCase()}`);
  const readline = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await readline.question(question)).trim();
  } finally {
    readline.close();
  }
}
