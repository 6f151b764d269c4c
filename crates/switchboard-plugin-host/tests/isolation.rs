//! What a plugin's code can do to the process that describes it — abort while being opened, abort,
//! crash, loop, allocate without end, flood its output, look for secrets — ends that process only:
//! the host, this test process, goes on, reports the file and the kind, and loads the good plugins.

use std::time::Duration;
use switchboard_plugin_host::{Limits, PluginError, PluginHost, PluginProblem};
use switchboard_plugin_testkit::{PluginDir, library_file_name};

/// Time limit for the fixtures that never end; short, so the suite does not wait long.
const SHORT: Duration = Duration::from_secs(2);

fn host(dir: &PluginDir) -> PluginHost {
    let limits = Limits { time: SHORT, ..Limits::default() };
    PluginHost::new(dir.path(), dir.describer().clone().with_limits(limits))
}

/// Describes one fixture beside a good plugin, which must still load.
fn problem_of(fixture: &str) -> PluginProblem {
    let dir = PluginDir::with(&["preset_aircall", fixture]).expect("built");
    let report = host(&dir).load().expect("a broken plugin is skipped, not fatal");
    assert_eq!(report.pack_names(), ["aircall", "aircall-classic"], "the good plugin still loads");
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    let problem = report.problems.into_iter().next().expect("one problem");
    assert_eq!(problem.file, dir.path().join(library_file_name(fixture)));
    problem
}

fn crash_of(fixture: &str) -> (String, String) {
    match problem_of(fixture).error {
        PluginError::Crashed { how, output } => (how, output),
        other => panic!("{fixture}: expected a crash, got {other:?}"),
    }
}

#[test]
fn a_constructor_that_aborts_while_the_library_is_opened_ends_only_the_describing_process() {
    let (how, _) = crash_of("abort_in_constructor");
    assert!(how.contains("SIGABRT"), "{how}");
}

#[test]
fn abort_in_preset_packs_ends_only_the_describing_process() {
    let (how, _) = crash_of("abort_in_packs");
    assert!(how.contains("SIGABRT"), "{how}");
}

#[test]
fn a_segfault_in_preset_packs_ends_only_the_describing_process() {
    let (how, _) = crash_of("segfault");
    assert!(how.contains("SIGSEGV"), "{how}");
}

#[test]
fn an_endless_loop_is_stopped_at_the_time_limit() {
    let problem = problem_of("endless_loop");
    assert_eq!(problem.error, PluginError::TimedOut { limit_ms: 2000 });
    assert_eq!(problem.error.kind(), "timed_out");
}

#[test]
fn a_100_gib_allocation_fails_inside_the_address_space_limit() {
    match problem_of("huge_allocation").error {
        PluginError::OutOfMemory { limit_mib, output } => {
            assert_eq!(limit_mib, 1024);
            assert!(output.contains("memory allocation of 107374182400 bytes failed"), "{output}");
        }
        other => panic!("expected running out of memory, got {other:?}"),
    }
}

#[test]
fn an_answer_larger_than_an_entry_point_may_give_is_refused() {
    match problem_of("oversized_answer").error {
        PluginError::Malformed { entry, message } => {
            assert_eq!(entry, "preset_packs");
            assert!(message.contains("more than the 16777216 accepted"), "{message}");
        }
        other => panic!("expected an oversized answer, got {other:?}"),
    }
}

#[test]
fn output_flooding_every_descriptor_is_cut_off_at_the_limit() {
    let problem = problem_of("flood_output");
    assert_eq!(problem.error, PluginError::OutputTooLarge { limit: Limits::default().output });
    assert_eq!(problem.error.kind(), "output_too_large");
}

#[test]
fn a_plugin_finds_no_environment_and_cannot_read_the_hosts_environment_or_memory() {
    match problem_of("snoop_environment").error {
        PluginError::EntryFailed { kind, message, .. } => {
            assert_eq!(kind, "snooped");
            assert!(message.contains("own environment: [];"), "{message}");
            assert!(message.contains("parent environment: unreadable (permission denied)"), "{message}");
            assert!(message.contains("parent memory: unreadable (permission denied)"), "{message}");
        }
        other => panic!("expected the fixture's report, got {other:?}"),
    }
}

#[test]
fn every_hostile_plugin_at_once_beside_the_three_presets_leaves_the_presets_loaded() {
    let hostile = [
        "abort_in_constructor",
        "abort_in_packs",
        "segfault",
        "endless_loop",
        "huge_allocation",
        "oversized_answer",
        "flood_output",
        "snoop_environment",
    ];
    let mut targets = vec!["preset_mightycall", "preset_aircall", "preset_groups_ivr"];
    targets.extend(hostile);
    let dir = PluginDir::with(&targets).expect("built");
    let report = host(&dir).load().expect("lenient loading skips them");
    assert_eq!(report.pack_names(), ["aircall", "aircall-classic", "groups-ivr", "mightycall"]);
    let mut kinds: Vec<(String, &str)> = report
        .problems
        .iter()
        .map(|p| (p.file.file_name().unwrap().to_string_lossy().into_owned(), p.error.kind()))
        .collect();
    kinds.sort();
    let mut expected: Vec<(String, &str)> = [
        ("abort_in_constructor", "crashed"),
        ("abort_in_packs", "crashed"),
        ("endless_loop", "timed_out"),
        ("flood_output", "output_too_large"),
        ("huge_allocation", "out_of_memory"),
        ("oversized_answer", "malformed"),
        ("segfault", "crashed"),
        ("snoop_environment", "entry_failed"),
    ]
    .into_iter()
    .map(|(fixture, kind)| (library_file_name(fixture), kind))
    .collect();
    expected.sort();
    assert_eq!(kinds, expected);
    assert!(host(&dir).strict(true).load().is_err(), "strict loading refuses them");
}

#[test]
fn a_describer_that_cannot_be_started_is_reported_per_library() {
    let dir = PluginDir::with(&["preset_aircall"]).expect("built");
    let describer = switchboard_plugin_host::Describer::new("/nonexistent/describe", ["describe-plugin"]);
    let report = PluginHost::new(dir.path(), describer).load().expect("lenient");
    assert!(report.packs.is_empty());
    assert_eq!(report.problems[0].error.kind(), "isolation_failed", "{}", report.problems[0]);
    assert!(report.problems[0].to_string().contains("/nonexistent/describe"), "{}", report.problems[0]);
}
