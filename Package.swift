// swift-tools-version: 6.1
//
// Bulkhead: a small high-assurance x86-64 hypervisor.
//
// The tree shows the trust boundary:
//   Sources/Core        shared: the platform-independent core, compiled into the kernel AND tested here
//   Sources/Kernel      kernel only: Embedded Swift + asm, built by `bulkhead build`, never by SwiftPM
//   Sources/Host        host only: the `bulkhead` CLI (build, run, iso, replay, prove)
//   Spec                host only: the executable reference model
//   proofs              host only: Z3 obligations over Spec and over Core's decision functions
//   hardware-tests      host only: boots the real kernel under QEMU TCG
import PackageDescription

let package = Package(
  name: "Bulkhead",
  products: [
    .executable(name: "bulkhead", targets: ["bulkhead"]),
    .library(name: "BulkheadCore", targets: ["BulkheadCore"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
    .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.0"),
  ],
  targets: [
    // Shared by kernel and host. Must stay Embedded-compatible: no Foundation, no existentials,
    // typed throws only. The kernel build compiles these very files.
    .target(name: "BulkheadCore", path: "Sources/Core"),

    // The executable model. Obviously correct, not fast.
    .target(name: "BulkheadSpec", path: "Spec", exclude: ["README.md"]),

    // Z3 through its C API (Debian libz3-dev).
    .systemLibrary(
      name: "CZ3", path: "proofs/CZ3", pkgConfig: "z3",
      providers: [.apt(["libz3-dev"])]),
    // The prover builds large Z3 term trees in Swift; unoptimised, that is ~10 % of `bulkhead
    // prove`'s time, so these two targets are optimised in debug builds too.
    .target(
      name: "Z3Kit", dependencies: ["CZ3"], path: "proofs/Z3Kit",
      swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
    .target(
      name: "BulkheadProofs", dependencies: ["Z3Kit", "BulkheadSpec", "BulkheadCore"],
      path: "proofs/Obligations",
      swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),

    // Host tooling: kernel build driver, QEMU runner, ISO maker.
    .target(name: "BulkheadHost", dependencies: ["BulkheadCore"], path: "Sources/Host/BulkheadHost"),
    .executableTarget(
      name: "bulkhead",
      dependencies: [
        "BulkheadHost", "BulkheadCore", "BulkheadSpec", "BulkheadProofs",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Sources/Host/bulkhead"),

    .testTarget(
      name: "CoreTests",
      dependencies: [
        "BulkheadCore", "BulkheadSpec",
        .product(name: "PropertyBased", package: "swift-property-based"),
      ]),
    .testTarget(
      name: "SpecTests",
      dependencies: [
        "BulkheadSpec",
        .product(name: "PropertyBased", package: "swift-property-based"),
      ]),
    .testTarget(name: "ProofTests", dependencies: ["BulkheadProofs", "Z3Kit"]),
    .testTarget(name: "HardwareTests", dependencies: ["BulkheadHost"], path: "hardware-tests"),
  ]
)
