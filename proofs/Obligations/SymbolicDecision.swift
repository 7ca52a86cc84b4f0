// The symbolic instance of Core's DecisionWord/DecisionBool: Z3 bit-vectors and formulas.
//
// Running `pteCheck(entry: SymWord(...), ...)` executes the very source the kernel runs, but
// every operation builds a Z3 term instead of computing a number; the result is a formula for
// the function's output over all inputs.

import BulkheadCore
import Z3Kit

/// A Z3 formula as a `DecisionBool`.
public struct SymBool: DecisionBool {
  public let z: Z3Bool
  public init(_ z: Z3Bool) { self.z = z }
  public static func constant(_ value: Bool) -> SymBool { SymBool(Z3Bool(constant: value)) }
  public static func .& (lhs: SymBool, rhs: SymBool) -> SymBool { SymBool(lhs.z && rhs.z) }
  public static func .| (lhs: SymBool, rhs: SymBool) -> SymBool { SymBool(lhs.z || rhs.z) }
  public static prefix func .! (operand: SymBool) -> SymBool { SymBool(!operand.z) }
}

/// A 64-bit Z3 bit-vector as a `DecisionWord`.
public struct SymWord: DecisionWord {
  public typealias Condition = SymBool
  public let z: BV
  public init(_ z: BV) {
    precondition(z.width == 64, "SymWord is 64 bits")
    self.z = z
  }
  public static func constant(_ value: UInt64) -> SymWord { SymWord(BV(constant: value)) }
  public static func & (lhs: SymWord, rhs: SymWord) -> SymWord { SymWord(lhs.z & rhs.z) }
  public static func | (lhs: SymWord, rhs: SymWord) -> SymWord { SymWord(lhs.z | rhs.z) }
  public static func ^ (lhs: SymWord, rhs: SymWord) -> SymWord { SymWord(lhs.z ^ rhs.z) }
  public static prefix func ~ (operand: SymWord) -> SymWord { SymWord(~operand.z) }
  public static func &+ (lhs: SymWord, rhs: SymWord) -> SymWord { SymWord(lhs.z &+ rhs.z) }
  public static func &- (lhs: SymWord, rhs: SymWord) -> SymWord { SymWord(lhs.z &- rhs.z) }
  public static func &* (lhs: SymWord, rhs: SymWord) -> SymWord { SymWord(lhs.z &* rhs.z) }
  public static func unsignedDivide(_ lhs: SymWord, _ rhs: SymWord) -> SymWord { SymWord(lhs.z / rhs.z) }
  public static func << (lhs: SymWord, rhs: SymWord) -> SymWord { SymWord(lhs.z << rhs.z) }
  public static func >> (lhs: SymWord, rhs: SymWord) -> SymWord { SymWord(lhs.z >> rhs.z) }
  public static func .== (lhs: SymWord, rhs: SymWord) -> SymBool { SymBool(lhs.z .== rhs.z) }
  public static func .!= (lhs: SymWord, rhs: SymWord) -> SymBool { SymBool(lhs.z .!= rhs.z) }
  public static func .< (lhs: SymWord, rhs: SymWord) -> SymBool { SymBool(lhs.z .< rhs.z) }
  public static func .<= (lhs: SymWord, rhs: SymWord) -> SymBool { SymBool(lhs.z .<= rhs.z) }
  public static func signedLess(_ lhs: SymWord, _ rhs: SymWord) -> SymBool { SymBool(lhs.z.slt(rhs.z)) }
  public static func select(_ condition: SymBool, _ ifTrue: SymWord, _ ifFalse: SymWord) -> SymWord {
    SymWord(BV.ite(condition.z, ifTrue.z, ifFalse.z))
  }
}
