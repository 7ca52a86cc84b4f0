/// grant_table_op: not yet wired to the core's grant table (the core's grantSetupTable /
/// grantMap / grantUnmap / grantCopy exist; the kernel glue that mirrors guest-written v1
/// entries into them comes with the pingpong guest).
enum GrantOps {
  static func grantTableOp(_ v: VCPU, _ a: HypercallArgs) -> Int64 {
    Hypercalls.fail(.ENOSYS)
  }
}
