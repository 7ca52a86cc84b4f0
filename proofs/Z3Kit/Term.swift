// Term: a context-free formula tree, lowered to Z3 only when a solver checks it.
//
// Why a tree of our own instead of Z3_ast values: building formulas needs no live Z3 context, so a
// symbolic `DecisionWord` can make a constant out of thin air (`W.constant(3)`) exactly as the
// concrete `UInt64` instance does, and every obligation owns exactly one Z3 context that is deleted
// when its check ends (no Z3 object outlives an obligation, nothing to inc_ref/dec_ref by hand).
//
// Terms are immutable and shared: one node may appear in many places (a DAG). Lowering memoises by
// node identity, and Z3 hash-conses what remains, so sharing costs nothing.

/// The sort of a term.
public enum Sort: Hashable, Sendable, CustomStringConvertible {
  /// Booleans.
  case bool
  /// Bit-vectors of the given width (1 ... 128 bits; constants and model values fit 64 bits).
  case bitVector(UInt32)
  /// Arrays from `bitVector(index)` to `bitVector(value)`.
  case array(index: UInt32, value: UInt32)

  public var description: String {
    switch self {
    case .bool: return "Bool"
    case .bitVector(let w): return "BV\(w)"
    case .array(let i, let v): return "Array(BV\(i) -> BV\(v))"
    }
  }
}

/// Bit-vector operations with two operands of the same width.
public enum BVBinaryOp: Sendable {
  case and, or, xor, add, sub, mul, shl, lshr, udiv, urem
}

/// An uninterpreted function symbol (Hyperkernel-style per-object fields are arrays or these).
public final class Z3Function: @unchecked Sendable {
  public let name: String
  public let domain: [Sort]
  public let range: Sort

  public init(_ name: String, domain: [Sort], range: Sort) {
    self.name = name
    self.domain = domain
    self.range = range
  }
}

/// One node of a formula. Build terms through `Z3Bool`, `BV` and `BVArray`, which check sorts.
public final class Term: @unchecked Sendable {
  public enum Kind {
    case boolConst(Bool)
    case bvConst(UInt64)
    /// A free constant; two variables with the same name and sort are the same constant.
    case variable(String)
    case not(Term)
    case and([Term])
    case or([Term])
    case implies(Term, Term)
    /// Equality at any sort (iff for booleans).
    case equal(Term, Term)
    case ite(Term, Term, Term)
    case bvBinary(BVBinaryOp, Term, Term)
    case bvNot(Term)
    case ult(Term, Term)
    case ule(Term, Term)
    /// Signed (two's complement) comparisons.
    case slt(Term, Term)
    case sle(Term, Term)
    case extract(high: UInt32, low: UInt32, Term)
    case zeroExtend(UInt32, Term)
    case signExtend(UInt32, Term)
    case select(Term, Term)
    case store(Term, Term, Term)
    case constArray(Term)
    case apply(Z3Function, [Term])
    case forall([Term], Term)
    case exists([Term], Term)
  }

  public let kind: Kind
  public let sort: Sort

  init(_ kind: Kind, _ sort: Sort) {
    self.kind = kind
    self.sort = sort
  }

  /// Width of a bit-vector term; traps on any other sort (a bug in the obligation, not in Z3).
  var width: UInt32 {
    guard case .bitVector(let w) = sort else { preconditionFailure("Z3Kit: \(sort) is not a bit-vector") }
    return w
  }
}
