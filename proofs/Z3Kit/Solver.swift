// Solver: one Z3 context per check, lowering of `Term` trees, and model evaluation.
//
// Lifetimes: the context is made with `Z3_mk_context` (not `_rc`), so every Z3_ast lives until the
// context is deleted; the solver, params and model are reference counted by Z3 and we take exactly
// one reference each, dropped in `deinit` (solver, params) or before returning (model). A `Solver`
// deletes its context in `deinit`, so nothing Z3 allocated for an obligation survives it.

import CZ3

/// The answer of one `check()`.
public enum CheckResult: Equatable, Sendable {
  case sat
  case unsat
  /// Z3 gave up (timeout, incompleteness); the string is Z3's reason.
  case unknown(String)
}

/// A solver with its own Z3 context. Not thread-safe; use one per thread.
public final class Solver {
  private let ctx: Z3_context
  private let solver: Z3_solver
  private var lowered: [ObjectIdentifier: Z3_ast] = [:]
  private var functions: [ObjectIdentifier: Z3_func_decl] = [:]
  /// Terms we lowered; kept alive so `ObjectIdentifier`s in `lowered` stay unique.
  private var keepAlive: [Term] = []
  private var model: Z3_model?

  /// A fresh context and solver; `timeoutMs` bounds each `check()` in wall time and `rlimit` in
  /// Z3's resource units (0 = no bound). A resource limit gives the same answer on a loaded
  /// machine as on an idle one; the wall timeout is only a backstop.
  /// `logic` (e.g. "QF_UFBV") picks Z3's solver for that logic; nil is the general solver;
  /// `Solver.smtCore` is Z3's SMT core alone (no logic's tactics: bit-vectors are blasted
  /// lazily, which is faster when a goal is mostly equalities and a few comparisons).
  public init(timeoutMs: UInt32 = 30_000, rlimit: UInt32 = 0, logic: String? = nil) {
    let cfg = Z3_mk_config()
    Z3_set_param_value(cfg, "model", "true")
    ctx = Z3_mk_context(cfg)
    Z3_del_config(cfg)
    // Report errors through Z3_get_error_code instead of Z3's default exit(); a non-capturing
    // closure converts to the C function pointer.
    Z3_set_error_handler(ctx) { _, _ in }
    let c = ctx
    if logic == Solver.smtCore {
      solver = Z3_mk_simple_solver(c)
    } else if let logic {
      solver = Z3_mk_solver_for_logic(c, Z3_mk_string_symbol(c, logic))
    } else {
      solver = Z3_mk_solver(c)
    }
    Z3_solver_inc_ref(ctx, solver)
    let params = Z3_mk_params(ctx)
    Z3_params_inc_ref(ctx, params)
    if timeoutMs > 0 { Z3_params_set_uint(ctx, params, Z3_mk_string_symbol(ctx, "timeout"), timeoutMs) }
    if rlimit > 0 { Z3_params_set_uint(ctx, params, Z3_mk_string_symbol(ctx, "rlimit"), rlimit) }
    // Sums in sum-of-monomials normal form: `(x + 1) - 1` and `x` rewrite to the same term before
    // bit-blasting (adder equivalence is hard for SAT). Only with a logic: its tactics simplify.
    if logic != nil && logic != Solver.smtCore {
      Z3_params_set_bool(ctx, params, Z3_mk_string_symbol(ctx, "som"), true)
    }
    Z3_solver_set_params(ctx, solver, params)
    Z3_params_dec_ref(ctx, params)
  }

  /// The `logic` that asks for Z3's SMT core (`Z3_mk_simple_solver`).
  public static let smtCore = "smt-core"

  deinit {
    dropModel()
    Z3_solver_dec_ref(ctx, solver)
    Z3_del_context(ctx)
  }

  private func dropModel() {
    if let m = model { Z3_model_dec_ref(ctx, m) }
    model = nil
  }

  /// Adds `formula` to the assertions.
  public func assert(_ formula: Z3Bool) {
    Z3_solver_assert(ctx, solver, lower(formula.term))
    checkError("assert")
  }

  /// Checks the conjunction of the assertions; on `.sat` a model is kept for `value(of:)`.
  public func check() -> CheckResult {
    dropModel()
    let r = Z3_solver_check(ctx, solver)
    switch r {
    case Z3_L_TRUE:
      let m = Z3_solver_get_model(ctx, solver)
      if let m {
        Z3_model_inc_ref(ctx, m)
        model = m
      }
      return .sat
    case Z3_L_FALSE:
      return .unsat
    default:
      return .unknown(String(cString: Z3_solver_get_reason_unknown(ctx, solver)))
    }
  }

  /// The value of a bit-vector term in the last model (completed where unconstrained).
  public func value(of bv: BV) -> UInt64? {
    guard let m = model else { return nil }
    var out: Z3_ast? = nil
    guard Z3_model_eval(ctx, m, lower(bv.term), true, &out), let out else { return nil }
    var v: UInt64 = 0
    guard Z3_get_numeral_uint64(ctx, out, &v) else { return nil }
    return v
  }

  /// The value of a boolean term in the last model.
  public func value(of b: Z3Bool) -> Bool? {
    guard let m = model else { return nil }
    var out: Z3_ast? = nil
    guard Z3_model_eval(ctx, m, lower(b.term), true, &out), let out else { return nil }
    switch Z3_get_bool_value(ctx, out) {
    case Z3_L_TRUE: return true
    case Z3_L_FALSE: return false
    default: return nil
    }
  }

  /// Z3's resource count for this solver so far ("rlimit count" in its statistics): the
  /// machine-independent measure of the work a check took.
  public var resourcesUsed: UInt64 {
    let stats = Z3_solver_get_statistics(ctx, solver)
    Z3_stats_inc_ref(ctx, stats)
    defer { Z3_stats_dec_ref(ctx, stats) }
    for i in 0..<Z3_stats_size(ctx, stats) where String(cString: Z3_stats_get_key(ctx, stats, i)) == "rlimit count" {
      return Z3_stats_is_uint(ctx, stats, i) ? UInt64(Z3_stats_get_uint_value(ctx, stats, i)) : UInt64(Z3_stats_get_double_value(ctx, stats, i))
    }
    return 0
  }

  /// The SMT-LIB text of the assertions (for debugging an obligation).
  public var smtlib: String { String(cString: Z3_solver_to_string(ctx, solver)) }

  private func checkError(_ what: String) {
    let code = Z3_get_error_code(ctx)
    precondition(code == Z3_OK, "Z3Kit: Z3 error in \(what): \(String(cString: Z3_get_error_msg(ctx, code)))")
  }

  // MARK: Lowering

  private func sort(_ s: Sort) -> Z3_sort {
    switch s {
    case .bool: return Z3_mk_bool_sort(ctx)
    case .bitVector(let w): return Z3_mk_bv_sort(ctx, w)
    case .array(let i, let v): return Z3_mk_array_sort(ctx, Z3_mk_bv_sort(ctx, i), Z3_mk_bv_sort(ctx, v))
    }
  }

  private func function(_ f: Z3Function) -> Z3_func_decl {
    if let d = functions[ObjectIdentifier(f)] { return d }
    let dom: [Z3_sort?] = f.domain.map { sort($0) }
    let d = dom.withUnsafeBufferPointer {
      Z3_mk_func_decl(ctx, Z3_mk_string_symbol(ctx, f.name), UInt32(dom.count), $0.baseAddress, sort(f.range))!
    }
    functions[ObjectIdentifier(f)] = d
    return d
  }

  private func many(_ terms: [Term], _ make: (UInt32, UnsafePointer<Z3_ast?>?) -> Z3_ast?) -> Z3_ast {
    let asts: [Z3_ast?] = terms.map { lower($0) }
    return asts.withUnsafeBufferPointer { make(UInt32(asts.count), $0.baseAddress)! }
  }

  private func lower(_ t: Term) -> Z3_ast {
    if let a = lowered[ObjectIdentifier(t)] { return a }
    let a = build(t)
    keepAlive.append(t)
    lowered[ObjectIdentifier(t)] = a
    return a
  }

  private func build(_ t: Term) -> Z3_ast {
    switch t.kind {
    case .boolConst(let b): return b ? Z3_mk_true(ctx) : Z3_mk_false(ctx)
    case .bvConst(let v): return Z3_mk_unsigned_int64(ctx, v, sort(t.sort))
    case .variable(let name): return Z3_mk_const(ctx, Z3_mk_string_symbol(ctx, name), sort(t.sort))
    case .not(let a): return Z3_mk_not(ctx, lower(a))
    case .and(let xs): return many(xs) { Z3_mk_and(ctx, $0, $1) }
    case .or(let xs): return many(xs) { Z3_mk_or(ctx, $0, $1) }
    case .implies(let a, let b): return Z3_mk_implies(ctx, lower(a), lower(b))
    case .equal(let a, let b): return Z3_mk_eq(ctx, lower(a), lower(b))
    case .ite(let c, let a, let b): return Z3_mk_ite(ctx, lower(c), lower(a), lower(b))
    case .bvBinary(let op, let a, let b):
      let (x, y) = (lower(a), lower(b))
      switch op {
      case .and: return Z3_mk_bvand(ctx, x, y)
      case .or: return Z3_mk_bvor(ctx, x, y)
      case .xor: return Z3_mk_bvxor(ctx, x, y)
      case .add: return Z3_mk_bvadd(ctx, x, y)
      case .sub: return Z3_mk_bvsub(ctx, x, y)
      case .mul: return Z3_mk_bvmul(ctx, x, y)
      case .shl: return Z3_mk_bvshl(ctx, x, y)
      case .lshr: return Z3_mk_bvlshr(ctx, x, y)
      case .udiv: return Z3_mk_bvudiv(ctx, x, y)
      case .urem: return Z3_mk_bvurem(ctx, x, y)
      }
    case .bvNot(let a): return Z3_mk_bvnot(ctx, lower(a))
    case .ult(let a, let b): return Z3_mk_bvult(ctx, lower(a), lower(b))
    case .ule(let a, let b): return Z3_mk_bvule(ctx, lower(a), lower(b))
    case .slt(let a, let b): return Z3_mk_bvslt(ctx, lower(a), lower(b))
    case .sle(let a, let b): return Z3_mk_bvsle(ctx, lower(a), lower(b))
    case .extract(let hi, let lo, let a): return Z3_mk_extract(ctx, hi, lo, lower(a))
    case .zeroExtend(let n, let a): return Z3_mk_zero_ext(ctx, n, lower(a))
    case .signExtend(let n, let a): return Z3_mk_sign_ext(ctx, n, lower(a))
    case .select(let arr, let i): return Z3_mk_select(ctx, lower(arr), lower(i))
    case .store(let arr, let i, let v): return Z3_mk_store(ctx, lower(arr), lower(i), lower(v))
    case .constArray(let v):
      guard case .array(let iw, _) = t.sort else { preconditionFailure() }
      return Z3_mk_const_array(ctx, Z3_mk_bv_sort(ctx, iw), lower(v))
    case .apply(let f, let args):
      let d = function(f)
      return many(args) { Z3_mk_app(ctx, d, $0, $1) }
    case .forall(let vars, let body), .exists(let vars, let body):
      var isForall = false
      if case .forall = t.kind { isForall = true }
      let bound: [Z3_app?] = vars.map { Z3_to_app(ctx, lower($0)) }
      let b = lower(body)
      return bound.withUnsafeBufferPointer {
        isForall
          ? Z3_mk_forall_const(ctx, 0, UInt32(bound.count), $0.baseAddress, 0, nil, b)!
          : Z3_mk_exists_const(ctx, 0, UInt32(bound.count), $0.baseAddress, 0, nil, b)!
      }
    }
  }
}
