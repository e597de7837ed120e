// #region conformance
import { describeConformance } from '@voxline/core/testing';
import { plivoCarrier } from '@voxline/plivo';
import { carrierPluginConformance } from '@voxline/telephony/testing';
import { telnyxCarrier } from '@voxline/telnyx';
import { twilioCarrier } from '@voxline/twilio';
import { describe, it } from 'vitest';
import { acmeCarrier } from './add-a-carrier.js';

describeConformance(
  carrierPluginConformance({
    plugin: acmeCarrier(),
    // One Acme stream's first messages, as Acme documents them: `maybe`, then `mine`.
    firstMessages: ['{"event":"hello"}', '{"event":"start","acme_stream":"s-1"}'],
    // The carriers a route may serve beside Acme: Acme's stream must still be detected as Acme's.
    alongside: [telnyxCarrier(), twilioCarrier(), plivoCarrier()],
  }),
  { describe, it },
);
// #endregion conformance
