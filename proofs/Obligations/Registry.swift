// Registry: the obligation lists, one per file family (filled in by Decision*, Spec*, XSA*).

let decisionObligations: [Obligation] = pteCheckObligations + grantCheckObligations + creditObligations
let specObligations: [Obligation] =
  specObligationList + eventChannelObligations + runQueueObligations + domainSchedObligations
  + eventWakeObligations + boundedWaitObligations
  + pageTableObligations
  + cr3Obligations
  + upperEntryObligations
  + recursiveValidationObligations
  + upperHolderObligations
  + grantPageTableObligations
  + grantMappingObligations
  + grantMappingObjectObligations
  + destroyPageTableObligations
let xsaObligations: [Obligation] = xsaObligationList
/// Stated but too slow for the default run (see PageTableObligations.swift, proofs/README.md).
let slowObligations: [Obligation] = pageTableSlowObligations
