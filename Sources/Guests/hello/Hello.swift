/// hello: the smallest Bulkhead guest. It prints a greeting and a few facts it learned from
/// the hypervisor, shows that ordinary Swift runs (arrays, sorting, a dictionary, a checksum),
/// and returns; the SDK then shuts the domain down.
///
/// The output must be identical on Xen and on Bulkhead except the lines that name the
/// hypervisor version and the domain size, which are on lines of their own (`xen_version:`,
/// `nr_pages:`) so a test can compare the rest.
///
/// Hypercalls used: console_io (write), xen_version (version), sched_op (shutdown).
/// start_info fields used: magic, nr_pages, flags (SIF_INITDOMAIN), cmd_line.

func guestMain(_ boot: StartInfo) {
  print("Hello from Bulkhead!")
  print("guest: hello, Embedded Swift PV guest")

  let v = XenVersion.number()
  print("xen_version: \(v.major).\(v.minor)")
  print("start_info: \(boot.magic)")
  print("nr_pages: \(boot.nrPages)")

  let primes = [13, 2, 11, 3, 7, 5]
  print("sorted: \(describe(primes.sorted()))")
  var letters: [String: Int] = [:]
  for word in ["pv", "guest", "swift", "xen"] { letters[word] = word.utf8.count }
  print("letters: \(letters["guest"]! + letters["swift"]!)")
  print("checksum: \(hex(fnv1a("Bulkhead hello guest"), digits: 8))")
  print("goodbye")
}

/// 32-bit FNV-1a over the UTF-8 of `s`.
func fnv1a(_ s: String) -> UInt32 {
  var h: UInt32 = 0x811C_9DC5
  for b in s.utf8 { h = (h ^ UInt32(b)) &* 0x0100_0193 }
  return h
}

/// "[a, b, c]" (Embedded Swift has no String(describing:) for arrays).
func describe(_ xs: [Int]) -> String {
  var s = "["
  for (i, x) in xs.enumerated() { s += (i == 0 ? "" : ", ") + "\(x)" }
  return s + "]"
}
