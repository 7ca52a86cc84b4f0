// The run queues: one per pCPU, as intrusive doubly linked lists threaded through preallocated
// link arrays shared by all of them (a vCPU is in at most one queue, so one set of links serves).
//
// The Spec keeps each pCPU's queue in arrival order and picks "the highest priority, then the
// earliest queued" among the schedulable (not parked) entries. To pick in O(1) per queue the
// core keeps, for each queue q, over the same entries:
//
//   arrival list   every vCPU queued on q, in arrival order (the Spec's `runQueues[q]`, exactly)
//   level lists    BOOST, UNDER, OVER: the vCPUs queued on q that are not parked, one list per
//                  priority, each in arrival order (a sub-sequence of the arrival list)
//
//        arrival:  head -> a(U) -> b(O) -> c(U, parked) -> d(B) -> e(U) -> tail
//        BOOST:    d
//        UNDER:    a -> e            (c is parked: on no level list)
//        OVER:     b
//        best(q) = head of the highest non-empty level list = d
//
// append and remove are O(1) and keep every level list a sub-sequence of its arrival list (an
// appended vCPU is the newest, so it goes to the tail of both). A queued vCPU's priority or
// parked flag changes only at accounting and in setCap, which call `relevel` to rebuild the
// level lists from the arrival lists: O(queued), and both are O(vCPUs) anyway.
//
// No allocation after init: the link arrays have one entry per vCPU slot, the heads one per
// queue (and level).

/// The scheduler's per-pCPU run queues over vCPU slots `0..<capacity`.
public struct RunQueue: Sendable {
  /// "No slot" in a link.
  static let none: Int32 = -1
  /// Number of level lists per queue (indexed by `SchedPriority.rawValue`; IDLE's stays empty).
  static let levels = 4

  /// Arrival-order links (shared by all queues) and each queue's ends.
  var next: [Int32]
  var prev: [Int32]
  var head: [Int32]
  var tail: [Int32]
  /// Level-list links, the level list each queued slot is on (-1: none, i.e. parked), and each
  /// queue's level-list ends at `q * levels + level`.
  var levelNext: [Int32]
  var levelPrev: [Int32]
  var levelOf: [Int8]
  var levelHead: [Int32]
  var levelTail: [Int32]
  /// The queue each slot is on, -1 when it is not queued.
  var queueOf: [Int32]
  /// Number of queued slots, all queues together.
  public private(set) var count: Int = 0

  /// `queues` empty queues for slots `0..<capacity`.
  init(queues: Int, capacity: Int) {
    next = [Int32](repeating: Self.none, count: capacity)
    prev = next
    levelNext = next
    levelPrev = next
    queueOf = next
    levelOf = [Int8](repeating: -1, count: capacity)
    head = [Int32](repeating: Self.none, count: queues)
    tail = head
    levelHead = [Int32](repeating: Self.none, count: queues * Self.levels)
    levelTail = levelHead
  }

  /// Number of queues (one per pCPU).
  @inline(__always) public var queues: Int { head.count }

  /// Whether `slot` is queued (on any queue).
  @inline(__always) public func contains(_ slot: Int) -> Bool { queueOf[slot] >= 0 }

  /// The queue `slot` is on, or -1.
  @inline(__always) public func queue(of slot: Int) -> Int { Int(queueOf[slot]) }

  /// The first slot of queue `q` in arrival order, or -1.
  @inline(__always) public func first(_ q: Int) -> Int { Int(head[q]) }
  /// The slot queued after `slot` (on the same queue) in arrival order, or -1.
  @inline(__always) public func after(_ slot: Int) -> Int { Int(next[slot]) }

  /// The slot queue `q` would offer: head of its highest non-empty level list, or -1.
  /// O(1): at most three list heads are read.
  @inline(__always) public func best(_ q: Int) -> Int {
    var l = Self.levels - 1
    while l > 0 {
      let h = levelHead[q * Self.levels + l]
      if h != Self.none { return Int(h) }
      l -= 1
    }
    return -1
  }

  /// Queues `slot` at the tail of queue `q`; `level` is its priority's raw value, or -1 if it
  /// is parked (queued, but on no level list). O(1). Precondition: not queued.
  mutating func append(_ slot: Int, queue q: Int, level: Int) {
    precondition(queueOf[slot] < 0, "onePerPCPU: a vCPU is queued twice")
    let s = Int32(truncatingIfNeeded: slot)
    queueOf[slot] = Int32(truncatingIfNeeded: q)
    count += 1
    next[slot] = Self.none
    prev[slot] = tail[q]
    if tail[q] == Self.none { head[q] = s } else { next[Int(tail[q])] = s }
    tail[q] = s
    linkLevel(slot, q, level)
  }

  /// Removes `slot` from its queue. O(1). Precondition: queued.
  mutating func remove(_ slot: Int) {
    let q = Int(queueOf[slot])
    precondition(q >= 0, "onePerPCPU: removing a vCPU that is not queued")
    unlinkLevel(slot, q)
    let n = next[slot]
    let p = prev[slot]
    if p == Self.none { head[q] = n } else { next[Int(p)] = n }
    if n == Self.none { tail[q] = p } else { prev[Int(n)] = p }
    next[slot] = Self.none
    prev[slot] = Self.none
    queueOf[slot] = Self.none
    count -= 1
  }

  /// Rebuilds every queue's level lists from its arrival list: each queued slot goes on the list
  /// of its priority in `vcpus`, or on none if it is parked. O(queued + queues).
  mutating func relevel(_ vcpus: [SchedVCPU]) {
    for i in 0..<levelHead.count {
      levelHead[i] = Self.none
      levelTail[i] = Self.none
    }
    for q in 0..<queues {
      var s = Int(head[q])
      while s >= 0 {
        linkLevel(s, q, vcpus[s].parked ? -1 : Int(vcpus[s].priority.rawValue))
        s = Int(next[s])
      }
    }
  }

  /// Puts `slot` (queued on `q`) at the tail of `q`'s level list `level` (nothing for -1).
  private mutating func linkLevel(_ slot: Int, _ q: Int, _ level: Int) {
    levelNext[slot] = Self.none
    levelPrev[slot] = Self.none
    guard level >= 0 && level < Self.levels else {
      levelOf[slot] = -1
      return
    }
    levelOf[slot] = Int8(truncatingIfNeeded: level)
    let i = q * Self.levels + level
    let s = Int32(truncatingIfNeeded: slot)
    levelPrev[slot] = levelTail[i]
    if levelTail[i] == Self.none { levelHead[i] = s } else { levelNext[Int(levelTail[i])] = s }
    levelTail[i] = s
  }

  /// Takes `slot` (queued on `q`) off its level list, if it is on one.
  private mutating func unlinkLevel(_ slot: Int, _ q: Int) {
    let l = Int(levelOf[slot])
    guard l >= 0 else { return }
    let i = q * Self.levels + l
    let n = levelNext[slot]
    let p = levelPrev[slot]
    if p == Self.none { levelHead[i] = n } else { levelNext[Int(p)] = n }
    if n == Self.none { levelTail[i] = p } else { levelPrev[Int(n)] = p }
    levelNext[slot] = Self.none
    levelPrev[slot] = Self.none
    levelOf[slot] = -1
  }
}
