/** A one-line progress bar on a terminal; plain lines every 10% otherwise. */
export function createProgress(total: number, tty: NodeJS.WriteStream | null, log: (line: string) => void) {
  let done = 0;
  let lastDecile = -1;
  const width = 24;
  return {
    tick(label: string) {
      done += 1;
      if (tty?.isTTY) {
        const filled = Math.round((done / total) * width);
        tty.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${label.slice(-40).padEnd(40)}`);
      } else {
        const decile = Math.floor((done / total) * 10);
        if (decile !== lastDecile) {
          lastDecile = decile;
          log(`uploading ${done}/${total}`);
        }
      }
    },
    done() {
      if (tty?.isTTY && total > 0) tty.write('\n');
    },
  };
}
