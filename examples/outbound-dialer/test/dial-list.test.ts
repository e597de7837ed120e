import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DialListError, readDialList } from '../src/dial-list.js';

describe('readDialList', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'voxline-dial-list-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  async function file(name: string, text: string): Promise<string> {
    const path = join(directory, name);
    await writeFile(path, text);
    return path;
  }

  it('reads numbers from the arguments, a CSV with a header, and JSON, in order and once each', async () => {
    expect(await readDialList(['+13125550111', '+1 (312) 555-0122', '+13125550111'])).toEqual([
      '+13125550111',
      '+13125550122',
    ]);
    const csv = await file('numbers.csv', 'phone,name\n+13125550111,Ada\n\n# later\n"+442071838750",Bob\n');
    expect(await readDialList([csv])).toEqual(['+13125550111', '+442071838750']);
    const json = await file('numbers.json', JSON.stringify(['+13125550111', { to: '+13125550122' }]));
    expect(await readDialList([json])).toEqual(['+13125550111', '+13125550122']);
  });

  it('names what is wrong', async () => {
    const bad = await file('bad.csv', 'phone\n+13125550111\n3125550122\n');
    await expect(readDialList([bad])).rejects.toMatchObject({
      code: 'invalid-number',
      message: expect.stringContaining('bad.csv line 3'),
    });
    await expect(readDialList([])).rejects.toMatchObject({ code: 'empty-list' });
    await expect(readDialList([join(directory, 'missing.csv')])).rejects.toMatchObject({
      code: 'unreadable-file',
    });
    const object = await file('object.json', '{"to":"+13125550111"}');
    await expect(readDialList([object])).rejects.toBeInstanceOf(DialListError);
    await expect(readDialList([object])).rejects.toMatchObject({ code: 'malformed-file' });
  });
});
