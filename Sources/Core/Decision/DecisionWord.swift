// DecisionWord / DecisionBool: the arithmetic that Bulkhead's decision functions are written in.
//
// A decision function (pteCheck, grantCheck, creditAfterTick, ...) is written ONCE, generic over
// `W: DecisionWord`, branch-free (every choice is a `W.select`). The kernel and the host run it at
// `W = UInt64`; proofs/Obligations runs the very same source at `W = SymWord`, whose values are Z3
// bit-vector terms, and proves it equal to the Spec's rule for all 2^64 inputs.
//
// Semantics every instance must have (the proofs assume exactly these; Z3's QF_BV has them):
//   &, |, ^, ~        bitwise on 64 bits
//   &+, &-            addition/subtraction modulo 2^64
//   <<, >>            logical shifts; a shift count of 64 or more gives 0 (Swift smart shift)
//   .==, .!=          equality, yielding a Condition
//   .<, .<=, .>, .>=  UNSIGNED comparison, yielding a Condition
//   signedLess        two's-complement comparison (credits, budgets)
//   select(c, a, b)   c ? a : b, without branching
//
// Embedded Swift: no Foundation, no existentials, generics only. The UInt64/Bool instances are
// @inline(__always) so `pteCheck(entry: UInt64, ...)` specialises to straight-line code.

/// A truth value of a decision: `Bool` in the kernel, a Z3 formula in the proofs.
public protocol DecisionBool {
  /// The constant `value`.
  static func constant(_ value: Bool) -> Self
  /// Conjunction (both operands are always evaluated: no short circuit).
  static func .& (lhs: Self, rhs: Self) -> Self
  /// Disjunction (both operands are always evaluated).
  static func .| (lhs: Self, rhs: Self) -> Self
  /// Negation.
  static prefix func .! (operand: Self) -> Self
}

/// A 64-bit machine word of a decision: `UInt64` in the kernel, a Z3 bit-vector in the proofs.
public protocol DecisionWord {
  associatedtype Condition: DecisionBool

  /// The constant `value`.
  static func constant(_ value: UInt64) -> Self

  static func & (lhs: Self, rhs: Self) -> Self
  static func | (lhs: Self, rhs: Self) -> Self
  static func ^ (lhs: Self, rhs: Self) -> Self
  static prefix func ~ (operand: Self) -> Self
  /// Addition modulo 2^64.
  static func &+ (lhs: Self, rhs: Self) -> Self
  /// Subtraction modulo 2^64.
  static func &- (lhs: Self, rhs: Self) -> Self
  /// Multiplication modulo 2^64.
  static func &* (lhs: Self, rhs: Self) -> Self
  /// Unsigned division, rounding down; dividing by 0 gives all ones (Z3's `bvudiv`), never a trap.
  static func unsignedDivide(_ lhs: Self, _ rhs: Self) -> Self
  /// Logical left shift; counts >= 64 give 0.
  static func << (lhs: Self, rhs: Self) -> Self
  /// Logical right shift; counts >= 64 give 0.
  static func >> (lhs: Self, rhs: Self) -> Self

  static func .== (lhs: Self, rhs: Self) -> Condition
  static func .!= (lhs: Self, rhs: Self) -> Condition
  /// Unsigned less-than.
  static func .< (lhs: Self, rhs: Self) -> Condition
  /// Unsigned less-than-or-equal.
  static func .<= (lhs: Self, rhs: Self) -> Condition
  /// Signed (two's complement) less-than: credits are signed.
  static func signedLess(_ lhs: Self, _ rhs: Self) -> Condition

  /// `condition ? ifTrue : ifFalse`, evaluating both.
  static func select(_ condition: Condition, _ ifTrue: Self, _ ifFalse: Self) -> Self
}

extension DecisionWord {
  /// Unsigned greater-than.
  @inline(__always) public static func .> (lhs: Self, rhs: Self) -> Condition { rhs .< lhs }
  /// Unsigned greater-than-or-equal.
  @inline(__always) public static func .>= (lhs: Self, rhs: Self) -> Condition { rhs .<= lhs }

  /// Bit `index` (0 = least significant) is set.
  @inline(__always) public func bit(_ index: UInt64) -> Condition {
    (self & Self.constant(1 << index)) .!= Self.constant(0)
  }

  /// `self & mask` as a word, with the mask a constant.
  @inline(__always) public func masked(_ mask: UInt64) -> Self { self & Self.constant(mask) }

  /// Signed maximum.
  @inline(__always) public static func signedMax(_ a: Self, _ b: Self) -> Self { select(signedLess(a, b), b, a) }
  /// Signed minimum.
  @inline(__always) public static func signedMin(_ a: Self, _ b: Self) -> Self { select(signedLess(a, b), a, b) }

  /// `Self.constant(value)`, short.
  @inline(__always) public static func k(_ value: UInt64) -> Self { constant(value) }
}

extension Bool: DecisionBool {
  @inline(__always) public static func constant(_ value: Bool) -> Bool { value }
  // On two plain Bool operands `&&`/`||` compile to a single and/or: there is nothing to skip.
  @inline(__always) public static func .& (lhs: Bool, rhs: Bool) -> Bool { lhs && rhs }
  @inline(__always) public static func .| (lhs: Bool, rhs: Bool) -> Bool { lhs || rhs }
  @inline(__always) public static prefix func .! (operand: Bool) -> Bool { !operand }
}

extension UInt64: DecisionWord {
  public typealias Condition = Bool

  @inline(__always) public static func constant(_ value: UInt64) -> UInt64 { value }
  @inline(__always) public static func .== (lhs: UInt64, rhs: UInt64) -> Bool { lhs == rhs }
  @inline(__always) public static func .!= (lhs: UInt64, rhs: UInt64) -> Bool { lhs != rhs }
  @inline(__always) public static func .< (lhs: UInt64, rhs: UInt64) -> Bool { lhs < rhs }
  @inline(__always) public static func .<= (lhs: UInt64, rhs: UInt64) -> Bool { lhs <= rhs }
  @inline(__always) public static func signedLess(_ lhs: UInt64, _ rhs: UInt64) -> Bool {
    Int64(bitPattern: lhs) < Int64(bitPattern: rhs)
  }
  @inline(__always) public static func select(_ condition: Bool, _ ifTrue: UInt64, _ ifFalse: UInt64) -> UInt64 {
    condition ? ifTrue : ifFalse
  }
  @inline(__always) public static func unsignedDivide(_ lhs: UInt64, _ rhs: UInt64) -> UInt64 {
    rhs == 0 ? ~0 : lhs / rhs
  }
}
