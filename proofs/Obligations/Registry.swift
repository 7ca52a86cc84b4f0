// Registry: the obligation lists, one per file family (filled in by Decision*, Spec*, XSA*).

let decisionObligations: [Obligation] = pteCheckObligations + grantCheckObligations + creditObligations
let specObligations: [Obligation] =
  specObligationList + eventChannelObligations + runQueueObligations + pageTableObligations
let xsaObligations: [Obligation] = xsaObligationList
