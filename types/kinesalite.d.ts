declare module 'kinesalite' {
  import type { Server } from 'node:http';

  interface KinesaliteOptions {
    /** Keeps streams in LevelDB at this path; in memory without it. */
    path?: string;
    createStreamMs?: number;
    deleteStreamMs?: number;
    updateStreamMs?: number;
    shardLimit?: number;
    ssl?: boolean;
  }

  /** An HTTP server speaking the Kinesis API (kinesalite). */
  function kinesalite(options?: KinesaliteOptions): Server;
  export default kinesalite;
}
