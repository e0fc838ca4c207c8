// When a weak line drops the call to sound only: a pure decision over the connection panel's figures,
// in a module of its own so that it can be tried with made-up figures (tests/test_call_browser.py).
//
// A sample is the best of the person's connections every 2 s (static/js/call.js): if even the best one
// is weak, the line that is weak is theirs. {at: ms, loss: fraction of packets lost since the last
// sample, rttMs: round trip, outgoingKbps: the browser's estimate of what it can send, or null}.
// A sample is weak when any figure is past WEAK; the call switches to sound only once the samples have
// been weak for WEAK_FOR_MS without a break. Sound only lasts until the person turns the camera back on
// (`resumeVideo`); after that the line must be weak for RESUMED_WEAK_FOR_MS before it switches again,
// so a line that hovers at the threshold does not flap. `recovered` says the line has been good (every
// figure inside GOOD, the outgoing estimate left out: with sound only it stays low) for GOOD_FOR_MS.
export const WEAK = { loss: 0.1, rttMs: 800, outgoingKbps: 150 };
export const GOOD = { loss: 0.03, rttMs: 400 };
export const WEAK_FOR_MS = 6000;
export const RESUMED_WEAK_FOR_MS = 20000;
export const GOOD_FOR_MS = 10000;

export function initialLine() {
  return { mode: "video", weakSince: null, goodSince: null, weakFor: WEAK_FOR_MS, switched: false, recovered: false };
}

export function isWeak(sample) {
  return (
    sample.loss >= WEAK.loss ||
    sample.rttMs >= WEAK.rttMs ||
    (sample.outgoingKbps !== null && sample.outgoingKbps !== undefined && sample.outgoingKbps < WEAK.outgoingKbps)
  );
}

export function isGood(sample) {
  return sample.loss < GOOD.loss && sample.rttMs < GOOD.rttMs;
}

// The line after one more sample. `switched` is true on the one sample that drops the call to sound only.
export function judgeLine(line, sample) {
  if (line.mode === "video") {
    const weakSince = isWeak(sample) ? (line.weakSince ?? sample.at) : null;
    const switched = weakSince !== null && sample.at - weakSince >= line.weakFor;
    return {
      ...line,
      mode: switched ? "audio" : "video",
      weakSince: switched ? null : weakSince,
      goodSince: null,
      switched,
      recovered: false,
    };
  }
  const goodSince = isGood(sample) ? (line.goodSince ?? sample.at) : null;
  return { ...line, goodSince, switched: false, recovered: goodSince !== null && sample.at - goodSince >= GOOD_FOR_MS };
}

// The person turned the camera back on: video again, and a longer patience before the next switch.
export function resumeVideo(line) {
  return { ...line, mode: "video", weakSince: null, goodSince: null, weakFor: RESUMED_WEAK_FOR_MS, switched: false, recovered: false };
}
