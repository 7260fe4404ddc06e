//! The README's examples are what the current binary prints: every `$ zlint …` line of a code
//! block is run, and the lines printed under it (but `...`, which stands for lines left out)
//! must appear in its output, in order.

use assert_cmd::Command;

#[test]
fn readme_examples_are_the_binarys_output() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let mut checked = 0;
    let mut lines = readme.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(command) = line.strip_prefix("$ zlint ") else {
            continue;
        };
        let mut expected = Vec::new();
        while let Some(next) = lines.next_if(|l| !l.starts_with("```")) {
            expected.push(next);
        }
        let out = Command::cargo_bin("zlint")
            .expect("binary")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(command.split_whitespace())
            .env("NO_COLOR", "1")
            .output()
            .expect("runs");
        let actual = String::from_utf8_lossy(&out.stdout).to_string();
        let mut rest = actual.lines();
        for want in expected.iter().filter(|l| l.trim() != "...") {
            assert!(
                rest.any(|got| got == *want),
                "`zlint {command}`: README line\n{want}\nnot in the output (in order):\n{actual}"
            );
        }
        checked += 1;
    }
    assert!(checked >= 3, "only {checked} README examples found");
}
