import { synthFailureText } from '../../cli/live-reload';

const OUTPUT = `cdk synth exited with 1:
Bundling asset App/Ok/Code/Stage...

  ...0bc84265fad794eb6904d50aeef9a46acbf37e8e557ca8-building/index.js  602.7kb
  ...4265fad794eb6904d50aeef9a46acbf37e8e557ca8-building/index.js.map  967.8kb

⚡ Done in 2004ms
Bundling asset App/Broken/Code/Stage...
✘ [ERROR] Unexpected ";"

    src/handler.ts:24:22:
      24 │ export const broken = ;

1 error`;

describe('the text printed when a re-synth fails', () => {
  it('keeps the error and drops the reports of the bundles that built', () => {
    const text = synthFailureText(OUTPUT);
    expect(text).toContain('✘ [ERROR] Unexpected ";"');
    expect(text).toContain('src/handler.ts:24:22');
    expect(text).toContain('1 error');
    expect(text).not.toContain('Done in');
    expect(text).not.toContain('602.7kb');
    expect(text).not.toContain('App/Ok');
    expect(text).not.toMatch(/\n{3,}/);
  });
});
