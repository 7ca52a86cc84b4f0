// Typed front ends over `Term`: Z3Bool, BV (bit-vectors up to 64 bits) and BVArray.
//
// Operators follow Swift where the result type is the operand type (`&`, `|`, `^`, `~`, `&+`, `&-`,
// `<<`, `>>` are bit-vector; `&&`, `||`, `!` are boolean), and the SIMD spelling where a
// comparison yields a formula rather than a Swift Bool (`.==`, `.!=`, `.<`, `.<=`, `.>`, `.>=`,
// all unsigned). Shifts follow Z3 (and Swift's smart shift on unsigned): shifting by the width or
// more yields 0.

/// A boolean formula.
public struct Z3Bool: @unchecked Sendable {
  public let term: Term

  public init(term: Term) {
    precondition(term.sort == .bool, "Z3Kit: expected Bool, got \(term.sort)")
    self.term = term
  }

  /// A free boolean constant named `name`.
  public init(_ name: String) { self.term = Term(.variable(name), .bool) }

  /// The constant `value`.
  public init(constant value: Bool) { self.term = Term(.boolConst(value), .bool) }

  public static let `true` = Z3Bool(constant: true)
  public static let `false` = Z3Bool(constant: false)

  public static func && (lhs: Z3Bool, rhs: Z3Bool) -> Z3Bool { Z3Bool(term: Term(.and([lhs.term, rhs.term]), .bool)) }
  public static func || (lhs: Z3Bool, rhs: Z3Bool) -> Z3Bool { Z3Bool(term: Term(.or([lhs.term, rhs.term]), .bool)) }
  public static prefix func ! (operand: Z3Bool) -> Z3Bool { Z3Bool(term: Term(.not(operand.term), .bool)) }

  /// `self ⇒ other`.
  public func implies(_ other: Z3Bool) -> Z3Bool { Z3Bool(term: Term(.implies(term, other.term), .bool)) }
  /// `self ⇔ other`.
  public func iff(_ other: Z3Bool) -> Z3Bool { Z3Bool(term: Term(.equal(term, other.term), .bool)) }

  /// `cond ? a : b` on booleans.
  public static func ite(_ cond: Z3Bool, _ a: Z3Bool, _ b: Z3Bool) -> Z3Bool {
    Z3Bool(term: Term(.ite(cond.term, a.term, b.term), .bool))
  }
}

/// Conjunction of many formulas (true when empty).
public func all(_ parts: [Z3Bool]) -> Z3Bool {
  parts.isEmpty ? .true : Z3Bool(term: Term(.and(parts.map(\.term)), .bool))
}

/// Disjunction of many formulas (false when empty).
public func any(_ parts: [Z3Bool]) -> Z3Bool {
  parts.isEmpty ? .false : Z3Bool(term: Term(.or(parts.map(\.term)), .bool))
}

/// `∀ vars. body`.
public func forall(_ vars: [BV], _ body: Z3Bool) -> Z3Bool {
  Z3Bool(term: Term(.forall(vars.map(\.term), body.term), .bool))
}

/// `∃ vars. body`.
public func exists(_ vars: [BV], _ body: Z3Bool) -> Z3Bool {
  Z3Bool(term: Term(.exists(vars.map(\.term), body.term), .bool))
}

/// A bit-vector of 1 to 128 bits (wide ones model unbounded integers in overflow proofs).
public struct BV: @unchecked Sendable {
  public let term: Term

  public init(term: Term) {
    guard case .bitVector = term.sort else { preconditionFailure("Z3Kit: expected a bit-vector, got \(term.sort)") }
    self.term = term
  }

  /// A free bit-vector constant named `name`.
  public init(_ name: String, width: UInt32 = 64) {
    precondition(width >= 1 && width <= 128, "Z3Kit: widths are 1...128")
    self.term = Term(.variable(name), .bitVector(width))
  }

  /// The constant `value` truncated to `width` bits.
  public init(constant value: UInt64, width: UInt32 = 64) {
    precondition(width >= 1 && width <= 128, "Z3Kit: widths are 1...128")
    let mask: UInt64 = width >= 64 ? ~0 : (1 << UInt64(width)) &- 1
    self.term = Term(.bvConst(value & mask), .bitVector(width))
  }

  public var width: UInt32 { term.width }

  /// A constant of this term's width.
  public func constant(_ value: UInt64) -> BV { BV(constant: value, width: width) }

  private static func binary(_ op: BVBinaryOp, _ a: BV, _ b: BV) -> BV {
    precondition(a.width == b.width, "Z3Kit: width mismatch \(a.width) vs \(b.width)")
    return BV(term: Term(.bvBinary(op, a.term, b.term), a.term.sort))
  }

  public static func & (a: BV, b: BV) -> BV { binary(.and, a, b) }
  public static func | (a: BV, b: BV) -> BV { binary(.or, a, b) }
  public static func ^ (a: BV, b: BV) -> BV { binary(.xor, a, b) }
  public static func &+ (a: BV, b: BV) -> BV { binary(.add, a, b) }
  public static func &- (a: BV, b: BV) -> BV { binary(.sub, a, b) }
  public static func &* (a: BV, b: BV) -> BV { binary(.mul, a, b) }
  public static func << (a: BV, b: BV) -> BV { binary(.shl, a, b) }
  public static func >> (a: BV, b: BV) -> BV { binary(.lshr, a, b) }
  /// Unsigned division (Z3: x / 0 = all ones).
  public static func / (a: BV, b: BV) -> BV { binary(.udiv, a, b) }
  /// Unsigned remainder (Z3: x % 0 = x).
  public static func % (a: BV, b: BV) -> BV { binary(.urem, a, b) }
  public static prefix func ~ (a: BV) -> BV { BV(term: Term(.bvNot(a.term), a.term.sort)) }

  public static func & (a: BV, b: UInt64) -> BV { a & a.constant(b) }
  public static func | (a: BV, b: UInt64) -> BV { a | a.constant(b) }
  public static func &+ (a: BV, b: UInt64) -> BV { a &+ a.constant(b) }
  public static func &- (a: BV, b: UInt64) -> BV { a &- a.constant(b) }
  public static func << (a: BV, b: UInt64) -> BV { a << a.constant(b) }
  public static func >> (a: BV, b: UInt64) -> BV { a >> a.constant(b) }

  public static func .== (a: BV, b: BV) -> Z3Bool {
    precondition(a.width == b.width, "Z3Kit: width mismatch \(a.width) vs \(b.width)")
    return Z3Bool(term: Term(.equal(a.term, b.term), .bool))
  }
  public static func .!= (a: BV, b: BV) -> Z3Bool { !(a .== b) }
  public static func .< (a: BV, b: BV) -> Z3Bool {
    precondition(a.width == b.width, "Z3Kit: width mismatch")
    return Z3Bool(term: Term(.ult(a.term, b.term), .bool))
  }
  public static func .<= (a: BV, b: BV) -> Z3Bool {
    precondition(a.width == b.width, "Z3Kit: width mismatch")
    return Z3Bool(term: Term(.ule(a.term, b.term), .bool))
  }
  public static func .> (a: BV, b: BV) -> Z3Bool { b .< a }
  public static func .>= (a: BV, b: BV) -> Z3Bool { b .<= a }

  public static func .== (a: BV, b: UInt64) -> Z3Bool { a .== a.constant(b) }
  public static func .!= (a: BV, b: UInt64) -> Z3Bool { a .!= a.constant(b) }
  public static func .< (a: BV, b: UInt64) -> Z3Bool { a .< a.constant(b) }
  public static func .<= (a: BV, b: UInt64) -> Z3Bool { a .<= a.constant(b) }
  public static func .> (a: BV, b: UInt64) -> Z3Bool { a .> a.constant(b) }
  public static func .>= (a: BV, b: UInt64) -> Z3Bool { a .>= a.constant(b) }

  /// `cond ? a : b`.
  public static func ite(_ cond: Z3Bool, _ a: BV, _ b: BV) -> BV {
    precondition(a.width == b.width, "Z3Kit: width mismatch")
    return BV(term: Term(.ite(cond.term, a.term, b.term), a.term.sort))
  }

  /// Bits `high...low` (inclusive), as a `high - low + 1`-bit vector.
  public func extract(_ high: UInt32, _ low: UInt32) -> BV {
    precondition(high >= low && high < width, "Z3Kit: bad extract")
    return BV(term: Term(.extract(high: high, low: low, term), .bitVector(high - low + 1)))
  }

  /// Bit `i` as a formula.
  public func bit(_ i: UInt32) -> Z3Bool { extract(i, i) .== 1 }

  /// Zero-extended (or kept) to `newWidth` bits.
  public func zeroExtended(to newWidth: UInt32) -> BV {
    precondition(newWidth >= width && newWidth <= 128, "Z3Kit: bad zero-extend")
    if newWidth == width { return self }
    return BV(term: Term(.zeroExtend(newWidth - width, term), .bitVector(newWidth)))
  }

  /// Sign-extended (or kept) to `newWidth` bits.
  public func signExtended(to newWidth: UInt32) -> BV {
    precondition(newWidth >= width && newWidth <= 128, "Z3Kit: bad sign-extend")
    if newWidth == width { return self }
    return BV(term: Term(.signExtend(newWidth - width, term), .bitVector(newWidth)))
  }

  /// Two's-complement negation.
  public static prefix func - (a: BV) -> BV { a.constant(0) &- a }

  /// Signed less-than.
  public func slt(_ b: BV) -> Z3Bool {
    precondition(width == b.width, "Z3Kit: width mismatch")
    return Z3Bool(term: Term(.slt(term, b.term), .bool))
  }
  /// Signed less-than-or-equal.
  public func sle(_ b: BV) -> Z3Bool {
    precondition(width == b.width, "Z3Kit: width mismatch")
    return Z3Bool(term: Term(.sle(term, b.term), .bool))
  }
  /// Signed maximum / minimum.
  public static func smax(_ a: BV, _ b: BV) -> BV { ite(a.slt(b), b, a) }
  public static func smin(_ a: BV, _ b: BV) -> BV { ite(a.slt(b), a, b) }
}

/// An array from bit-vectors to bit-vectors (one per-object field of a symbolic state).
public struct BVArray: @unchecked Sendable {
  public let term: Term

  public init(term: Term) {
    guard case .array = term.sort else { preconditionFailure("Z3Kit: expected an array, got \(term.sort)") }
    self.term = term
  }

  /// A free array named `name`.
  public init(_ name: String, index: UInt32 = 64, value: UInt32 = 64) {
    self.term = Term(.variable(name), .array(index: index, value: value))
  }

  /// The array mapping every index to `value`.
  public init(constant value: BV, index: UInt32 = 64) {
    self.term = Term(.constArray(value.term), .array(index: index, value: value.width))
  }

  public var indexWidth: UInt32 {
    guard case .array(let i, _) = term.sort else { preconditionFailure() }
    return i
  }
  public var valueWidth: UInt32 {
    guard case .array(_, let v) = term.sort else { preconditionFailure() }
    return v
  }

  /// `self[i]`.
  public subscript(_ i: BV) -> BV {
    precondition(i.width == indexWidth, "Z3Kit: index width mismatch")
    return BV(term: Term(.select(term, i.term), .bitVector(valueWidth)))
  }

  /// `self` with `self[i] = v`.
  public func store(_ i: BV, _ v: BV) -> BVArray {
    precondition(i.width == indexWidth && v.width == valueWidth, "Z3Kit: store width mismatch")
    return BVArray(term: Term(.store(term, i.term, v.term), term.sort))
  }

  public static func .== (a: BVArray, b: BVArray) -> Z3Bool {
    precondition(a.term.sort == b.term.sort, "Z3Kit: array sort mismatch")
    return Z3Bool(term: Term(.equal(a.term, b.term), .bool))
  }

  /// `cond ? a : b` on arrays.
  public static func ite(_ cond: Z3Bool, _ a: BVArray, _ b: BVArray) -> BVArray {
    precondition(a.term.sort == b.term.sort, "Z3Kit: array sort mismatch")
    return BVArray(term: Term(.ite(cond.term, a.term, b.term), a.term.sort))
  }
}

extension Z3Function {
  /// `f(args)` for a function whose range is a bit-vector.
  public func callAsFunction(_ args: BV...) -> BV {
    BV(term: apply(args))
  }

  /// `f(args)` for a function whose range is Bool.
  public func holds(_ args: BV...) -> Z3Bool {
    Z3Bool(term: apply(args))
  }

  private func apply(_ args: [BV]) -> Term {
    precondition(args.count == domain.count, "Z3Kit: \(name) takes \(domain.count) arguments")
    for (a, s) in zip(args, domain) { precondition(a.term.sort == s, "Z3Kit: \(name) argument sort") }
    return Term(.apply(self, args.map(\.term)), range)
  }
}
