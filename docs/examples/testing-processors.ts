/**
 * The sample of docs/architecture.md ("Testing your processors"), compiled here.
 */
// #region run-processor
import { TextFrame } from '@voxline/core';
import { runProcessor, sleep } from '@voxline/core/testing';
import { MyProcessor } from './my-processor.js';

const { downstream, upstream, errors } = await runProcessor(new MyProcessor(), {
  frames: [new TextFrame('hello'), sleep(500), new TextFrame('again')],
});
// #endregion run-processor

export const result = { downstream, upstream, errors };
