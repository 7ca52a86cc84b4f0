// libFuzzer target: decodes the input into memory-management operations, runs them through the
// core on a small machine, and traps if any invariant breaks (or if the core itself traps on
// some input, which is a bug: no guest input may stop the hypervisor). Built over the Core
// sources by fuzz/run.sh; see fuzz/README.md.

/// Machine size: small, so the fuzzer builds real trees and runs out of frames often.
let fuzzConfig: MMConfig = {
  var c = MMConfig()
  c.frameCount = 48
  c.hypervisorFrames = 4
  c.dom0MaxPages = 24
  c.maptrackEntries = 8
  c.maxGrantFrames = 2
  c.grantEntriesPerFrame = 4
  return c
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func replayFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  var decoder = ByteDecoder(bytes: UnsafeBufferPointer(start: data, count: size), frameCount: fuzzConfig.frameCount)
  var mm = HostMemoryManager(config: fuzzConfig)
  var count = 0
  while !decoder.done && count < 256 {
    let op = decoder.next()
    // A refused single operation must leave the state unchanged (checked on the first 32
    // operations of each input: the digest reads every frame).
    let checkRefusal = count < 32
    let before = checkRefusal ? mm.digest() : 0
    let outcome = mm.apply(op)
    count += 1
    if checkRefusal && outcome.error != nil && outcome.done == 0 && mm.digest() != before {
      fatalError("refusalLeavesStateUnchanged broken by \(op.name)")
    }
    if count % 8 == 0 || decoder.done {
      if let v = mm.checkInvariants().first {
        fatalError("invariant \(v.invariant) broken after \(count) operations: \(v.what) (\(v.subject))")
      }
    }
  }
  return 0
}
