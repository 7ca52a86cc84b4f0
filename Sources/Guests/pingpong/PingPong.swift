/// pingpong: two domains exchange messages over a granted shared ring and an event channel,
/// the way Xen's split drivers do (frontend "ping", backend "pong"), without xenstore.
///
/// Args: `role=ping|pong peer=DOMID [count=1000] [port=1] [ref=8]`.
///
/// The rendezvous is fixed instead of negotiated through xenstore:
/// - ping sets up its grant table, grants its ring page to `peer` (writable) at entry `ref`
///   (default 8, the first entry not reserved for the toolstack), then allocates an unbound
///   event channel for `peer`. In a fresh domain that is the lowest free port, **1**: port 0 is
///   never allocated, and the SDK binds nothing at boot.
/// - pong retries `bind_interdomain(peer, port)` until the port exists (it may start first),
///   then maps grant `ref` of `peer` at a page of its own with GNTMAP_host_map.
///
/// The ring (one page): `req_prod`, `rsp_prod`, `ready` words, then 8 slots of 256 bytes, each
/// an 8-byte sequence number and 248 payload bytes. As in Xen's rings, a slot carries a
/// request and is then overwritten by its response; ping keeps at most 8 requests in flight.
/// Every byte of every message is checked against a pattern derived from its sequence number.
/// Teardown: pong unmaps the ring, then allocates its next port (2) for ping; ping binds to it
/// as the sign that its grant is no longer mapped, and only then ends (a granter must outlive
/// the grantee's mappings). Both sides print `pingpong: N messages ok` and power off; any error
/// crashes the domain.
import GuestArch

enum Ring {
  static let slots: UInt64 = 8
  static let slotSize = 256
  static let payload = slotSize - 8
  static let reqProd = 0, rspProd = 4, ready = 8, slotBase = 64
  static let readyMagic: UInt32 = 0x504F_4E47   // "PONG"
  /// pong's second port, allocated for ping once pong has unmapped the ring.
  static let unmappedPort: UInt32 = 2
  static let requestSalt: UInt8 = 0xA5, responseSalt: UInt8 = 0x5A
}

/// Byte `j` of message `seq` in direction `salt`.
func pattern(_ seq: UInt64, _ j: Int, _ salt: UInt8) -> UInt8 {
  let h = seq &* 0x9E37_79B1 &+ UInt64(j) &* 0x85EB_CA77
  return UInt8(truncatingIfNeeded: h >> 13) ^ UInt8(truncatingIfNeeded: j) ^ salt
}

/// The shared page, seen through raw loads and stores with compiler barriers around them (the
/// peer writes it concurrently).
struct SharedRing {
  let base: UnsafeMutableRawPointer

  func load32(_ offset: Int) -> UInt32 {
    guest_barrier()
    return base.load(fromByteOffset: offset, as: UInt32.self)
  }
  func store32(_ offset: Int, _ value: UInt32) {
    guest_mb()   // the slot contents must be visible before the index that publishes them
    base.storeBytes(of: value, toByteOffset: offset, as: UInt32.self)
    guest_mb()
  }
  func slot(_ seq: UInt64) -> UnsafeMutableRawPointer {
    base + Ring.slotBase + Int(seq % Ring.slots) * Ring.slotSize
  }
  func write(_ seq: UInt64, salt: UInt8) {
    let s = slot(seq)
    s.storeBytes(of: seq, as: UInt64.self)
    let p = (s + 8).assumingMemoryBound(to: UInt8.self)
    for j in 0..<Ring.payload { p[j] = pattern(seq, j, salt) }
  }
  /// nil if slot `seq` holds message `seq` in direction `salt`, else what is wrong.
  func check(_ seq: UInt64, salt: UInt8) -> String? {
    let s = slot(seq)
    let got = s.load(as: UInt64.self)
    guard got == seq else { return "slot holds sequence \(got), expected \(seq)" }
    let p = (s + 8).assumingMemoryBound(to: UInt8.self)
    for j in 0..<Ring.payload where p[j] != pattern(seq, j, salt) {
      return "message \(seq) byte \(j) is \(hex(p[j])), expected \(hex(pattern(seq, j, salt)))"
    }
    return nil
  }
}

/// Stops the domain with a reason.
func fail(_ why: String) -> Never {
  print("pingpong: FAIL \(why)")
  Sched.shutdown(.crash)
}

/// Waits until `ready()` holds: clears the port's pending bit, re-checks, then polls it, so a
/// notification between the check and the poll is not lost. Fails after `seconds`.
func wait(_ shared: SharedInfo, port: UInt32, seconds: UInt64 = 20, what: String, _ ready: () -> Bool) {
  let deadline = shared.systemTimeNs() + seconds * 1_000_000_000
  while !ready() {
    _ = shared.testAndClearPending(port)
    if ready() { return }
    let now = shared.systemTimeNs()
    if now > deadline { fail("timed out waiting for \(what)") }
    do throws(XenError) {
      try Sched.poll([port], timeoutNs: now + 50_000_000)
    } catch {
      fail("poll: \(error.text)")
    }
  }
}

func guestMain(_ boot: StartInfo) {
  guard let role = boot.option("role"), role == "ping" || role == "pong" else { fail("args need role=ping|pong") }
  guard let peerText = boot.option("peer"), let peer = UInt16(String(peerText)) else { fail("args need peer=DOMID") }
  let count = boot.number("count", default: 1000)
  let port = UInt32(boot.number("port", default: 1))
  let ref = UInt32(boot.number("ref", default: UInt64(GrantTable.firstFreeReference)))

  let shared: SharedInfo
  do throws(XenError) {
    shared = try SharedInfo.map(machineAddress: boot.sharedInfoMachineAddress)
  } catch { fail("map shared_info: \(error.text)") }

  // One page of our own: ping's ring, or the VA where pong maps ping's ring.
  let page = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 4096)
  let pageVA = UInt64(UInt(bitPattern: page))
  for i in 0..<4096 { page.storeBytes(of: 0, toByteOffset: i, as: UInt8.self) }
  let ring = SharedRing(base: page)

  if role == "ping" {
    ping(boot, shared, ring, pageVA, peer: peer, count: count, port: port, ref: ref)
  } else {
    pong(boot, shared, ring, pageVA, peer: peer, count: count, port: port, ref: ref)
  }
  print("pingpong: \(count) messages ok")
}

func ping(
  _ boot: StartInfo, _ shared: SharedInfo, _ ring: SharedRing, _ pageVA: UInt64,
  peer: UInt16, count: UInt64, port wantedPort: UInt32, ref: UInt32
) {
  guard let ma = PageTable.machineAddress(of: pageVA, boot) else { fail("ring page not mapped") }
  let port: UInt32
  let table: GrantTable
  do throws(XenError) {
    table = try GrantTable.setUp(frames: 1)
    table.grantAccess(ref, to: peer, mfn: ma >> 12, readOnly: false)
    port = try EventChannel.allocUnbound(remote: peer)
  } catch { fail("ping setup: \(error.text)") }
  guard port == wantedPort else { fail("alloc_unbound gave port \(port), the convention says \(wantedPort)") }
  print("pingpong: ping: ring granted as ref \(ref) to domain \(peer), port \(port)")

  wait(shared, port: port, what: "pong to map the ring") { ring.load32(Ring.ready) == Ring.readyMagic }

  var sent: UInt64 = 0
  var received: UInt64 = 0
  while received < count {
    var produced = false
    while sent < count && sent - received < Ring.slots {
      ring.write(sent, salt: Ring.requestSalt)
      sent += 1
      produced = true
    }
    if produced {
      ring.store32(Ring.reqProd, UInt32(truncatingIfNeeded: sent))
      do throws(XenError) { try EventChannel.send(port) } catch { fail("send: \(error.text)") }
    }
    wait(shared, port: port, what: "response \(received)") {
      UInt64(ring.load32(Ring.rspProd)) > received
    }
    let rsp = UInt64(ring.load32(Ring.rspProd))
    while received < rsp {
      if let why = ring.check(received, salt: Ring.responseSalt) { fail(why) }
      received += 1
    }
  }
  // Teardown: the grant must outlive pong's mapping. pong says "unmapped" by allocating
  // its next port (2) for us once the ring is gone from its page tables; binding to it is
  // the acknowledgement (ESRCH means pong has already ended, which unmaps too).
  let deadline = shared.systemTimeNs() + 20_000_000_000
  while true {
    do throws(XenError) {
      let ack = try EventChannel.bindInterdomain(remote: peer, remotePort: Ring.unmappedPort)
      try EventChannel.close(ack)
      break
    } catch {
      if error == .noSuchDomain { break }
      if shared.systemTimeNs() > deadline { fail("pong never acknowledged the unmap (\(error.text))") }
      Sched.yield()
    }
  }
  do throws(XenError) { try EventChannel.close(port) } catch { fail("close: \(error.text)") }
  if !table.endAccess(ref) { fail("grant \(ref) still in use after pong's acknowledgement") }
}

func pong(
  _ boot: StartInfo, _ shared: SharedInfo, _ ring: SharedRing, _ pageVA: UInt64,
  peer: UInt16, count: UInt64, port remotePort: UInt32, ref: UInt32
) {
  // Bind to ping's port once it exists (ping may not have run yet).
  var port: UInt32 = 0
  var tries = 0
  let deadline = shared.systemTimeNs() + 20_000_000_000
  while true {
    do throws(XenError) {
      port = try EventChannel.bindInterdomain(remote: peer, remotePort: remotePort)
      break
    } catch {
      tries += 1
      if shared.systemTimeNs() > deadline { fail("bind_interdomain(\(peer), \(remotePort)): \(error.text) after \(tries) tries") }
      Sched.yield()
    }
  }
  guard let ownMA = PageTable.machineAddress(of: pageVA, boot) else { fail("page not mapped") }
  let mapping: GrantTable.Mapping
  do throws(GrantStatus) {
    mapping = try GrantTable.map(domain: peer, ref: ref, hostAddress: pageVA, readOnly: false)
  } catch { fail("map_grant_ref(\(peer), \(ref)): \(error.text)") }
  print("pingpong: pong: bound port \(port) to \(peer):\(remotePort) after \(tries) retries, mapped ref \(ref)")
  ring.store32(Ring.ready, Ring.readyMagic)
  do throws(XenError) { try EventChannel.send(port) } catch { fail("send: \(error.text)") }

  var handled: UInt64 = 0
  while handled < count {
    wait(shared, port: port, what: "request \(handled)") { UInt64(ring.load32(Ring.reqProd)) > handled }
    let req = UInt64(ring.load32(Ring.reqProd))
    while handled < req {
      if let why = ring.check(handled, salt: Ring.requestSalt) { fail(why) }
      ring.write(handled, salt: Ring.responseSalt)
      handled += 1
    }
    ring.store32(Ring.rspProd, UInt32(truncatingIfNeeded: handled))
    do throws(XenError) { try EventChannel.send(port) } catch { fail("send: \(error.text)") }
  }
  // Unmap, put our own page back, then tell ping with the next port (see ping's teardown).
  do throws(GrantStatus) {
    try GrantTable.unmap(handle: mapping.handle, hostAddress: pageVA)
  } catch { fail("unmap_grant_ref: \(error.text)") }
  do throws(XenError) {
    try PageTable.updateVAMapping(pageVA, pte: PageTable.pte(machineAddress: ownMA, writable: true))
    let ack = try EventChannel.allocUnbound(remote: peer)
    if ack != Ring.unmappedPort { fail("alloc_unbound gave port \(ack), the convention says \(Ring.unmappedPort)") }
    try EventChannel.close(port)
  } catch { fail("teardown: \(error.text)") }
}
