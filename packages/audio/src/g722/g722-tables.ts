/**
 * Constants of ITU-T G.722 (09/2012) "7 kHz audio-coding within 64 kbit/s", 64 kbit/s mode
 * (mode 1): https://www.itu.int/rec/T-REC-G.722
 *
 * Quantizer levels are the standard's values multiplied by 8, so that one `(level × scale) >> 15`
 * yields the quantized difference in the same units as the subband signal (the standard writes
 * `Q6(i) × DETL >> 12`, which is the same product).
 */

/**
 * Transmit and receive quadrature-mirror filter coefficients h0..h23 (G.722 Table 11).
 * Symmetric (h[i] = h[23 − i]); they sum to 2^13.
 */
// biome-ignore format: laid out as in the standard's tables
export const QMF_COEFFICIENTS: Int32Array = Int32Array.of(
  3, -11, -11, 53, 12, -156, 32, 362, -210, -805, 951, 3876,
  3876, 951, -805, -210, 362, 32, -156, 12, 53, -11, -11, 3,
);

/**
 * Decision levels of the 6-bit lower-subband quantizer, Q6(1)..Q6(29) (G.722 Table 6), with a
 * zero in front so that `LOW_DECISION_LEVELS[m]` is the lower edge of interval m + 1.
 */
// biome-ignore format: laid out as in the standard's tables
export const LOW_DECISION_LEVELS: Int32Array = Int32Array.of(
  0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650, 714,
  786, 858, 940, 1023, 1121, 1219, 1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919,
);

/** Number of magnitude intervals of the 6-bit lower-subband quantizer. */
export const LOW_INTERVALS = 30;

/**
 * 6-bit lower-subband code of magnitude interval m (1..30) for a non-negative difference
 * (G.722 Table 6, ILP): 61 down to 32. Index 0 is unused.
 */
export const LOW_CODE_POSITIVE: Uint8Array = Uint8Array.from({ length: 31 }, (_, m) =>
  m === 0 ? 0 : 62 - m,
);

/**
 * 6-bit lower-subband code of magnitude interval m (1..30) for a negative difference
 * (G.722 Table 6, ILN): 63, 62, then 31 down to 4. Index 0 is unused.
 */
export const LOW_CODE_NEGATIVE: Uint8Array = Uint8Array.from({ length: 31 }, (_, m) =>
  m === 0 ? 0 : m <= 2 ? 64 - m : 34 - m,
);

/**
 * Output levels of the 6-bit lower-subband inverse quantizer, indexed by the 6-bit code, × 8
 * (G.722 Table 6, QQ6). Codes 0..3 are never sent; they decode as the smallest negative level.
 */
// biome-ignore format: laid out as in the standard's tables
export const LOW_INVERSE_6_BIT: Int32Array = Int32Array.of(
  -136, -136, -136, -136, -24808, -21904, -19008, -16704, -14984, -13512, -12280, -11192, -10232, -9360, -8576, -7856,
  -7192, -6576, -6000, -5456, -4944, -4464, -4008, -3576, -3168, -2776, -2400, -2032, -1688, -1360, -1040, -728,
  24808, 21904, 19008, 16704, 14984, 13512, 12280, 11192, 10232, 9360, 8576, 7856, 7192, 6576, 6000, 5456,
  4944, 4464, 4008, 3576, 3168, 2776, 2400, 2032, 1688, 1360, 1040, 728, 432, 136, -432, -136,
);

/**
 * Output levels of the 4-bit lower-subband inverse quantizer, indexed by the 6-bit code's top four
 * bits, × 8 (G.722 Table 7, QQ4). The predictor and the scale factor adapt on these in every
 * mode, so that a decoder that drops the two low bits stays in step with the encoder.
 */
// biome-ignore format: laid out as in the standard's tables
export const LOW_INVERSE_4_BIT: Int32Array = Int32Array.of(
  0, -20456, -12896, -8968, -6288, -4240, -2584, -1200, 20456, 12896, 8968, 6288, 4240, 2584, 1200, 0,
);

/** Magnitude class (0..7) of a 4-bit lower-subband code (G.722 Table 7, RIL → IL4). */
// biome-ignore format: laid out as in the standard's tables
export const LOW_MAGNITUDE_CLASS: Uint8Array = Uint8Array.of(
  0, 7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1, 0,
);

/** Log scale factor multipliers of the lower subband per magnitude class (G.722 Table 8, WL). */
// biome-ignore format: laid out as in the standard's tables
export const LOW_LOG_SCALE_STEP: Int32Array = Int32Array.of(
  -60, -30, 58, 172, 334, 538, 1198, 3042,
);

/** Upper bound of the lower subband's log scale factor NBL (G.722 block 3L, LOGSCL). */
export const LOW_LOG_SCALE_MAX = 18432;

/** Decision level of the 2-bit higher-subband quantizer, Q2 (G.722 Table 9). */
export const HIGH_DECISION_LEVEL = 564;

/** 2-bit higher-subband code for magnitude interval 1 or 2 of a non-negative difference (IHP). */
// biome-ignore format: laid out as in the standard's tables
export const HIGH_CODE_POSITIVE: Uint8Array = Uint8Array.of(
  0, 3, 2,
);

/** 2-bit higher-subband code for magnitude interval 1 or 2 of a negative difference (IHN). */
// biome-ignore format: laid out as in the standard's tables
export const HIGH_CODE_NEGATIVE: Uint8Array = Uint8Array.of(
  0, 1, 0,
);

/** Output levels of the 2-bit higher-subband inverse quantizer by code, × 8 (G.722 Table 9, QQ2). */
// biome-ignore format: laid out as in the standard's tables
export const HIGH_INVERSE_2_BIT: Int32Array = Int32Array.of(
  -7408, -1616, 7408, 1616,
);

/** Log scale factor multiplier of the higher subband by 2-bit code (G.722 Table 10, WH via RH2). */
// biome-ignore format: laid out as in the standard's tables
export const HIGH_LOG_SCALE_STEP: Int32Array = Int32Array.of(
  798, -214, 798, -214,
);

/** Upper bound of the higher subband's log scale factor NBH (G.722 block 3H, LOGSCH). */
export const HIGH_LOG_SCALE_MAX = 22528;

/**
 * Inverse logarithm table of the scale factor adaptation, 2048 × 2^(i/32) rounded, i = 0..31
 * (G.722 block 3L, SCALEL, ILB).
 */
// biome-ignore format: laid out as in the standard's tables
export const INVERSE_LOG_BASE_2: Int32Array = Int32Array.of(
  2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834,
  2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371, 3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008,
);
