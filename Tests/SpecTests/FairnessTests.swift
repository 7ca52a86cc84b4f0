import BulkheadSpec
import PropertyBased
import Testing

/// Weighted fairness, caps and waiting, measured on the model's own scheduler.
@Suite struct FairnessTests {
  @Test func equalWeightsShareEqually() {
    let r = simulateFairness(weights: [256, 256, 256], ticks: 3000, checkEvery: 50)
    #expect(r.violations == [])
    #expect(r.maxError <= fairnessEpsilon, "\(r)")
  }

  @Test func randomWeightsWithinEpsilon() async {
    await propertyCheck(count: 12, input: Gen.int(in: 1...1024).array(of: 2...4)) { weights in
      let r = simulateFairness(weights: weights, ticks: 3000)
      #expect(r.maxError <= fairnessEpsilon, "\(r)")
    }
  }

  @Test func twoPCPUsRespectOnePCPUPerVCPU() {
    let r = simulateFairness(weights: [1024, 256, 256], pcpus: 2, ticks: 3000, checkEvery: 50)
    #expect(r.violations == [])
    #expect(r.maxError <= fairnessEpsilon, "\(r)")
  }

  @Test func printFairnessTable() {
    for w in [[256, 256], [512, 256], [1024, 256, 128], [65535, 1]] {
      print("fairness", simulateFairness(weights: w, ticks: 3000))
    }
  }
}
