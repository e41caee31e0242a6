//! A thread that loops until it is told to stop and then hands back what it collected: the
//! traffic probe and the rehearsal's lock sampler.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use crate::LocalDbError;

/// A running loop; [`Worker::finish`] stops it and returns its result. Dropped without
/// `finish` (an early error), it is told to stop too.
pub(crate) struct Worker<T> {
    name: &'static str,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Result<T, LocalDbError>>>,
}

impl<T: Send + 'static> Worker<T> {
    /// Starts `work` on a thread of its own; it should return once its flag is true.
    pub(crate) fn spawn(
        name: &'static str,
        work: impl FnOnce(&AtomicBool) -> Result<T, LocalDbError> + Send + 'static,
    ) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || work(&stop))
        };
        Self {
            name,
            stop,
            thread: Some(thread),
        }
    }

    /// Stops the loop and returns what it made.
    pub(crate) fn finish(mut self) -> Result<T, LocalDbError> {
        self.stop.store(true, Ordering::Relaxed);
        let failed = |output: &str| LocalDbError::Command {
            command: format!("{} thread", self.name),
            output: output.to_owned(),
        };
        let thread = self
            .thread
            .take()
            .ok_or_else(|| failed("already finished"))?;
        thread.join().map_err(|_| failed("panicked"))?
    }
}

impl<T> Drop for Worker<T> {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl<T> fmt::Debug for Worker<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Worker")
            .field("name", &self.name)
            .field("running", &self.thread.is_some())
            .finish()
    }
}
