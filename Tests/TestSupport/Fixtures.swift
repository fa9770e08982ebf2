// Tests use the fixtures the benchmarks use (loopback peers, free ports, host-binary servers).
@_exported import Fixtures
