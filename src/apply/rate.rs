//! Pacing: at most `requests_per_second` requests, evenly spaced with a 15 % margin (so that
//! up to 150 ms of network jitter cannot bunch eight arrivals into amoCRM's one-second window),
//! and the pauses between retries. The clock is a trait so tests check the pacing without
//! sleeping.

use std::time::{Duration, Instant};

/// Time as the limiter sees it.
pub trait Clock {
    /// Time since some fixed start.
    fn now(&self) -> Duration;
    fn sleep(&self, d: Duration);
}

/// The real clock.
#[derive(Debug)]
pub struct SystemClock(Instant);

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock(Instant::now())
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.0.elapsed()
    }

    fn sleep(&self, d: Duration) {
        std::thread::sleep(d);
    }
}

/// Spaces requests at least `interval` apart.
#[derive(Debug)]
pub struct Pace {
    interval: Duration,
    last: Option<Duration>,
}

impl Pace {
    pub fn per_second(rps: f64) -> Pace {
        Pace {
            interval: Duration::from_secs_f64(1.15 / rps.max(0.01)),
            last: None,
        }
    }

    /// Waits until the next request may start.
    pub fn wait(&mut self, clock: &dyn Clock) {
        if let Some(last) = self.last {
            let next = last + self.interval;
            let now = clock.now();
            if now < next {
                clock.sleep(next - now);
            }
        }
        self.last = Some(clock.now());
    }
}

/// The pause before attempt `attempt` (2, 3, …) after a failure: `base` doubled each time, at
/// most a minute.
pub fn backoff(base: Duration, attempt: u32) -> Duration {
    let doubled = base.saturating_mul(1 << attempt.saturating_sub(2).min(16));
    doubled.min(Duration::from_secs(60))
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use std::cell::{Cell, RefCell};

    /// A clock that only moves when slept on, and remembers when requests started.
    #[derive(Default)]
    pub struct FakeClock {
        pub now: Cell<Duration>,
        pub starts: RefCell<Vec<Duration>>,
    }

    impl Clock for FakeClock {
        fn now(&self) -> Duration {
            self.now.get()
        }
        fn sleep(&self, d: Duration) {
            self.now.set(self.now.get() + d);
        }
    }

    #[test]
    fn never_more_than_seven_requests_in_any_second() {
        let clock = FakeClock::default();
        let mut pace = Pace::per_second(7.0);
        for k in 0..50u64 {
            pace.wait(&clock);
            clock.starts.borrow_mut().push(clock.now());
            // Requests take 0–40 ms.
            clock.sleep(Duration::from_millis(k * 7 % 41));
        }
        let starts = clock.starts.borrow();
        for (i, &t) in starts.iter().enumerate() {
            let in_window = starts[i..]
                .iter()
                .take_while(|&&u| u < t + Duration::from_secs(1))
                .count();
            assert!(
                in_window <= 7,
                "{in_window} requests within a second of {t:?}"
            );
        }
        // … and not much slower than that: 50 requests in about 8 seconds.
        assert!(clock.now() < Duration::from_secs(9), "{:?}", clock.now());
    }

    #[test]
    fn backoff_doubles_up_to_a_minute() {
        let base = Duration::from_millis(500);
        assert_eq!(backoff(base, 2), Duration::from_millis(500));
        assert_eq!(backoff(base, 4), Duration::from_secs(2));
        assert_eq!(backoff(base, 30), Duration::from_secs(60));
    }
}
