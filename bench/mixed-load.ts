/**
 * A mixed read load for the memory target of `npm run bench`, run as a child process so its own memory is not
 * counted in the cloud's: `tsx bench/mixed-load.ts <seconds> <json of autocannon requests> <origin>`.
 */
import autocannon from 'autocannon';

const [seconds = '60', requests = '[]', url = ''] = process.argv.slice(2);
autocannon({ url, connections: 10, duration: Number(seconds), requests: JSON.parse(requests) })
  .then((result) =>
    process.stdout.write(`${JSON.stringify({ rate: result.requests.average, non2xx: result.non2xx })}\n`),
  )
  .catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  });
