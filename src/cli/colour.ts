// Colour in tables, only for a person at a terminal: never when the output is piped or redirected,
// and never when NO_COLOR is set to anything but an empty string (https://no-color.org).
export type Colour = 'red' | 'yellow' | 'green' | 'cyan' | 'dim';

const SGR: Record<Colour, string> = { red: '31', yellow: '33', green: '32', cyan: '36', dim: '2' };

export function colourWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env.NO_COLOR;
}

/** `text` in `colour` when `on`; the escape codes wrap the text only, never its padding's width. */
export function paint(text: string, colour: Colour | undefined, on: boolean): string {
  return on && colour ? `\u001b[${SGR[colour]}m${text}\u001b[0m` : text;
}

/** Alerts by how much they matter. */
export function severityColour(severity: string): Colour | undefined {
  if (severity === 'critical') return 'red';
  if (severity === 'warning') return 'yellow';
  return severity === 'info' ? 'cyan' : undefined;
}
