import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Ctrl-C (SIGINT) and SIGTERM during a long job: the first asks the job to stop after the work in hand and commit
/// it; a second ends the process at once (exit 130).
enum Interrupt {
  static let signals = Atomic<Int>(0)

  static var requested: Bool { signals.load(ordering: .relaxed) > 0 }

  static func install() {
    let handler: @convention(c) (Int32) -> Void = { _ in
      if Interrupt.signals.add(1, ordering: .relaxed).newValue > 1 { _exit(130) }
    }
    signal(SIGINT, handler)
    signal(SIGTERM, handler)
    // A parent may have started us with the signals blocked (the mask is inherited across exec): unblock them.
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    sigaddset(&set, SIGTERM)
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
  }

  /// Test hook: with TSEARCH_INTERRUPT_AFTER=N in the environment, the process sends itself SIGINT once N files
  /// are done (a deterministic Ctrl-C for the tests).
  static let testAfter: Int? = getenv("TSEARCH_INTERRUPT_AFTER").flatMap { Int(String(cString: $0)) }
}
