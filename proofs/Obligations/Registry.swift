// Registry: the obligation lists, one per file family (filled in by Decision*, Spec*, XSA*).

let decisionObligations: [Obligation] = []
let specObligations: [Obligation] = []
let xsaObligations: [Obligation] = []
