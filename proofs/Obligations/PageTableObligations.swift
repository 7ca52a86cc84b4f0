import BulkheadCore
import Z3Kit

struct SymPageTables {}
let pageTableObligations: [Obligation] = []
