/**
 * Frames no processor knows, one of each kind: the frame-processor conformance suite sends them
 * and expects each to pass through untouched.
 */
import { ControlFrame, DataFrame, SystemFrame } from '../../frames/frame.js';

/** A data frame no processor knows: it must pass through untouched. */
export class ConformanceProbeFrame extends DataFrame {
  constructor(readonly label: string) {
    super();
  }
}

/** A control frame no processor knows. */
export class ConformanceControlProbeFrame extends ControlFrame {
  constructor(readonly label: string) {
    super();
  }
}

/** A system frame no processor knows. */
export class ConformanceSystemProbeFrame extends SystemFrame {
  constructor(readonly label: string) {
    super();
  }
}
