// The run queue: intrusive doubly linked lists threaded through preallocated link arrays.
//
// The Spec keeps ONE queue in arrival order and picks "the highest priority, then the earliest
// queued" among the schedulable (not parked) entries. To pick in O(1) the core keeps, over the
// same entries:
//
//   arrival list   every queued vCPU, in arrival order (the Spec's `runQueue`, exactly)
//   level lists    BOOST, UNDER, OVER: the queued vCPUs that are not parked, one list per
//                  priority, each in arrival order (a sub-sequence of the arrival list)
//
//        arrival:  head -> a(U) -> b(O) -> c(U, parked) -> d(B) -> e(U) -> tail
//        BOOST:    d
//        UNDER:    a -> e            (c is parked: on no level list)
//        OVER:     b
//        best() = head of the highest non-empty level list = d
//
// append and remove are O(1) and keep every level list a sub-sequence of the arrival list
// (an appended vCPU is the newest, so it goes to the tail of both). A queued vCPU's priority
// or parked flag changes only at accounting and in setCap, which call `relevel` to rebuild the
// level lists from the arrival list: O(queued), and both are O(vCPUs) anyway.
//
// No allocation after init: the link arrays have one entry per vCPU slot.

/// The scheduler's run queue over vCPU slots `0..<capacity`.
public struct RunQueue: Sendable {
  /// "No slot" in a link.
  static let none: Int32 = -1
  /// Number of level lists (indexed by `SchedPriority.rawValue`; IDLE's list stays empty).
  static let levels = 4

  /// Arrival-order links.
  var next: [Int32]
  var prev: [Int32]
  var head: Int32 = none
  var tail: Int32 = none
  /// Level-list links, and the level list each queued slot is on (-1: none, i.e. parked).
  var levelNext: [Int32]
  var levelPrev: [Int32]
  var levelOf: [Int8]
  var levelHead: [Int32]
  var levelTail: [Int32]
  /// Whether each slot is queued.
  var queued: [Bool]
  /// Number of queued slots.
  public private(set) var count: Int = 0

  /// An empty queue for slots `0..<capacity`.
  init(capacity: Int) {
    next = [Int32](repeating: Self.none, count: capacity)
    prev = next
    levelNext = next
    levelPrev = next
    levelOf = [Int8](repeating: -1, count: capacity)
    levelHead = [Int32](repeating: Self.none, count: Self.levels)
    levelTail = levelHead
    queued = [Bool](repeating: false, count: capacity)
  }

  /// Whether `slot` is queued.
  @inline(__always) public func contains(_ slot: Int) -> Bool { queued[slot] }

  /// The first queued slot in arrival order, or -1.
  @inline(__always) public var first: Int { Int(head) }
  /// The slot queued after `slot` in arrival order, or -1.
  @inline(__always) public func after(_ slot: Int) -> Int { Int(next[slot]) }

  /// The slot the Spec's `bestQueued` picks: head of the highest non-empty level list, or -1.
  /// O(1): at most three list heads are read.
  @inline(__always) public func best() -> Int {
    var l = Self.levels - 1
    while l > 0 {
      if levelHead[l] != Self.none { return Int(levelHead[l]) }
      l -= 1
    }
    return -1
  }

  /// Queues `slot` at the tail; `level` is its priority's raw value, or -1 if it is parked
  /// (queued, but on no level list). O(1). Precondition: not queued.
  mutating func append(_ slot: Int, level: Int) {
    precondition(!queued[slot], "onePerPCPU: a vCPU is queued twice")
    let s = Int32(truncatingIfNeeded: slot)
    queued[slot] = true
    count += 1
    next[slot] = Self.none
    prev[slot] = tail
    if tail == Self.none { head = s } else { next[Int(tail)] = s }
    tail = s
    linkLevel(slot, level)
  }

  /// Removes `slot` from the queue. O(1). Precondition: queued.
  mutating func remove(_ slot: Int) {
    precondition(queued[slot], "onePerPCPU: removing a vCPU that is not queued")
    unlinkLevel(slot)
    let n = next[slot]
    let p = prev[slot]
    if p == Self.none { head = n } else { next[Int(p)] = n }
    if n == Self.none { tail = p } else { prev[Int(n)] = p }
    next[slot] = Self.none
    prev[slot] = Self.none
    queued[slot] = false
    count -= 1
  }

  /// Rebuilds the level lists from the arrival list: each queued slot goes on the list of its
  /// priority in `vcpus`, or on none if it is parked. O(queued).
  mutating func relevel(_ vcpus: [SchedVCPU]) {
    for l in 0..<Self.levels {
      levelHead[l] = Self.none
      levelTail[l] = Self.none
    }
    var s = Int(head)
    while s >= 0 {
      levelOf[s] = -1
      linkLevel(s, vcpus[s].parked ? -1 : Int(vcpus[s].priority.rawValue))
      s = Int(next[s])
    }
  }

  /// Puts queued `slot` at the tail of level list `level` (nothing for -1).
  private mutating func linkLevel(_ slot: Int, _ level: Int) {
    levelNext[slot] = Self.none
    levelPrev[slot] = Self.none
    levelOf[slot] = Int8(truncatingIfNeeded: level)
    guard level >= 0 && level < Self.levels else {
      levelOf[slot] = -1
      return
    }
    let s = Int32(truncatingIfNeeded: slot)
    levelPrev[slot] = levelTail[level]
    if levelTail[level] == Self.none { levelHead[level] = s } else { levelNext[Int(levelTail[level])] = s }
    levelTail[level] = s
  }

  /// Takes queued `slot` off its level list, if it is on one.
  private mutating func unlinkLevel(_ slot: Int) {
    let l = Int(levelOf[slot])
    guard l >= 0 else { return }
    let n = levelNext[slot]
    let p = levelPrev[slot]
    if p == Self.none { levelHead[l] = n } else { levelNext[Int(p)] = n }
    if n == Self.none { levelTail[l] = p } else { levelPrev[Int(n)] = p }
    levelNext[slot] = Self.none
    levelPrev[slot] = Self.none
    levelOf[slot] = -1
  }
}
