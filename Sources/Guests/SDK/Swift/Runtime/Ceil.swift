/// `ceil`, which the standard library's Dictionary and Set call when sizing their storage.
/// It lives in Swift because guests are built with -mno-sse, and a C function that returns a
/// double cannot be compiled for that ABI.
@_cdecl("ceil")
func ceil(_ x: Double) -> Double {
  // Every double at or beyond 2^52 in magnitude is already an integer (and so are NaN and the
  // infinities, which this returns unchanged).
  guard x.magnitude < 4_503_599_627_370_496 else { return x }
  let truncated = Double(Int64(x))
  return truncated < x ? truncated + 1 : truncated
}
