use switchboard_testkit::app::TestApp;

#[test]
fn health_and_readiness_answer_ok() {
    let app = TestApp::spawn();
    let health = app.get("/healthz");
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["status"], "ok");
    let ready = app.get("/readyz");
    assert_eq!(ready.status, 200, "{}", ready.body);
    assert_eq!(ready.json()["status"], "ready");
}

#[test]
fn every_response_carries_a_request_id_and_a_given_one_is_kept() {
    let app = TestApp::spawn();
    let generated = app.get("/healthz");
    assert_eq!(generated.header("x-request-id").map(str::len), Some(36));
    let kept = app.request("GET", "/healthz", None, &[("x-request-id", "trace-123")]);
    assert_eq!(kept.header("x-request-id"), Some("trace-123"));
}

#[test]
fn metrics_count_requests_by_route_in_prometheus_format() {
    let app = TestApp::spawn();
    app.get("/healthz");
    let operator = format!("Bearer {}", switchboard_testkit::http::OPERATOR_KEY);
    let metrics = app.request("GET", "/metrics", None, &[("authorization", &operator)]);
    assert_eq!(metrics.status, 200);
    assert!(metrics.header("content-type").unwrap().starts_with("text/plain"));
    assert!(
        metrics.body.contains(r#"switchboard_http_requests_total{method="GET",route="/healthz",status="200"} 1"#),
        "{}",
        metrics.body
    );
}

#[test]
fn an_unknown_route_is_a_404_problem() {
    let app = TestApp::spawn();
    app.get("/v1/nothing-here").assert_problem(404, "not_found");
}

#[test]
fn a_known_route_with_the_wrong_method_is_a_405_with_allow() {
    let app = TestApp::spawn();
    let reply = app.request("DELETE", "/healthz", None, &[]);
    reply.assert_problem(405, "method_not_allowed");
    assert_eq!(reply.header("allow"), Some("GET"));
}

#[test]
fn an_oversized_body_is_a_413_problem() {
    let app = TestApp::spawn();
    let huge = format!("{{\"account\": \"{}\"}}", "x".repeat(300 * 1024));
    app.request("POST", "/v1/auth/token", Some(&huge), &[]).assert_problem(413, "payload_too_large");
}

#[test]
fn the_docs_without_a_trailing_slash_redirect_to_the_docs() {
    let app = TestApp::spawn();
    let agent = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().new_agent();
    let response = agent.get(format!("{}/docs", app.base)).call().unwrap();
    assert_eq!(response.status().as_u16(), 308);
    assert_eq!(response.headers().get("location").and_then(|v| v.to_str().ok()), Some("/docs/"));
    let followed = app.get("/docs");
    assert_eq!(followed.status, 200);
    assert!(followed.body.to_lowercase().contains("swagger"), "{}", followed.body);
}
