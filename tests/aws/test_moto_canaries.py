"""Canaries on the moto internals the harness patches: if moto changes them, these fail first, naming
which."""

from __future__ import annotations

import inspect

import pytest

moto = pytest.importorskip("moto")


def test_moto_version_is_the_pinned_one() -> None:
    assert moto.__version__ == "5.2.5"


def test_lambda_simple_backend_invoke_signature() -> None:
    from moto.awslambda_simple.models import LambdaSimpleBackend

    params = list(inspect.signature(LambdaSimpleBackend.invoke).parameters)
    assert params == ["self", "function_name", "qualifier", "body", "headers", "response_headers"]


def test_wait_function_and_retrier_sleep_where_the_harness_patches() -> None:
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction

    assert list(inspect.signature(WaitFunction._wait_interval).parameters) == ["self", "env", "wait_seconds"]
    assert "time.sleep(interval_seconds)" in inspect.getsource(retrier_decl.RetrierDecl._eval_body)


def test_callback_wait_and_jsonata_hooks_exist() -> None:
    from moto.stepfunctions.parser.asl.component.intrinsic import jsonata as intrinsic
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_callback as cb,
    )
    from moto.stepfunctions.parser.asl.eval import states, variable_store
    from moto.stepfunctions.parser.asl.jsonata import jsonata
    from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor

    assert list(inspect.signature(cb.StateTaskServiceCallback._wait_for_task_token_timeout).parameters) == [
        "self",
        "timeout_seconds",
        "callback_endpoint",
    ]
    assert hasattr(jsonata, "_eval_jsonata")
    assert states.encode_jsonata_variable_declarations is jsonata.encode_jsonata_variable_declarations
    assert variable_store.encode_jsonata_variable_declarations is jsonata.encode_jsonata_variable_declarations
    assert "$uuid" in intrinsic._DECLARATION_BY_VARIABLE_REFERENCE
    assert isinstance(Preprocessor._query_language_per_scope, list)


def test_moto_still_does_not_escape_string_variables() -> None:
    # the reason for the encoder patch; when moto fixes it, the patch can go
    from moto.stepfunctions.parser.asl.jsonata.jsonata import encode_jsonata_variable_declarations

    assert encode_jsonata_variable_declarations({"$x": 'a"b'}) == '$x:="a"b";'


def test_jsonata_python_remainder_still_truncates_and_the_fix_is_javascripts_fmod() -> None:
    jsonata = pytest.importorskip("jsonata")
    from portaflow.backends.aws.offline.jsonata_eval import evaluate, faithful

    assert jsonata.Jsonata("2.5 % 2").evaluate(None) == 0  # the bug the harness works around
    with faithful():
        assert evaluate("2.5 % 2") == 0.5
        assert evaluate("-7 % 3") == -1  # JavaScript keeps the dividend's sign
    assert jsonata.Jsonata("2.5 % 2").evaluate(None) == 0  # and the patch is undone afterwards


def test_jsonata_python_still_differs_from_javascript_where_faithful_patches_it() -> None:
    # each patch of jsonata_eval.faithful (and the regex engine of evaluate); when one of these fails,
    # jsonata-python was fixed and the patch can go. tests/aws/test_jsonata_js.py checks the patched results.
    jsonata = pytest.importorskip("jsonata")

    def raw(expr: str) -> object:
        return jsonata.Jsonata(expr).evaluate(None)

    assert raw('$length("\\ud83d\\ude00")') == 2  # JavaScript: 1
    assert raw('$split("😀", "")') == ["😀"]  # JavaScript: two surrogates
    assert raw('"😀" < "\\uffff"') is False  # JavaScript: true (UTF-16 order)
    assert raw('$contains("\\u001c", /\\s/)') is True  # JavaScript: false
    assert raw('$lowercase("ß")') == "ss"  # JavaScript: "ß"
    assert raw('$string(["é"])') == '["\\u00e9"]'  # JavaScript: '["é"]'
    assert raw('$number("+5")') == 5  # JavaScript: error D3030
    assert raw('$replace("a", "a", "$0$0")') == "aa"  # JavaScript: "$0$0"
    assert raw('$base64encode("é")') == "w6k="  # JavaScript (Node's "binary"): "6Q=="
    assert raw('$base64decode("6Q==")') is None  # JavaScript: "é"


def test_jsonata_python_to_millis_still_truncates_and_the_fix_is_exact() -> None:
    jsonata = pytest.importorskip("jsonata")
    from portaflow.backends.aws.offline.jsonata_eval import evaluate, faithful

    iso = '"1987-04-28T03:52:53.675Z"'
    assert jsonata.Jsonata(f"$toMillis({iso})").evaluate(None) == 546_580_373_674  # the bug worked around
    with faithful():
        assert evaluate(f"$toMillis({iso})") == 546_580_373_675  # JavaScript's Date.parse
        assert evaluate('$toMillis("2024-05-01T12:00:00Z")') == 1_714_564_800_000
        assert evaluate('$toMillis("2024-05-01", "[Y0001]-[M01]-[D01]")') == 1_714_521_600_000
    assert jsonata.Jsonata(f"$toMillis({iso})").evaluate(None) == 546_580_373_674  # undone afterwards


def test_moto_still_fails_a_jsonata_evaluation_as_an_unknown_exception() -> None:
    # the reason for the harness's StringJSONata patch: AWS fails the state with States.QueryEvaluationError
    # (which Retry and Catch see); moto lets the evaluator's exception through (States.Runtime, uncatchable)
    from moto.stepfunctions.parser.asl.component.common.string.string_expression import StringJSONata

    assert list(inspect.signature(StringJSONata._eval_body).parameters) == ["self", "env"]
    source = inspect.getsource(StringJSONata._eval_body)
    assert "eval_jsonata_expression(" in source and "QueryEvaluationError" not in source


def test_moto_still_refuses_a_branchs_states_error_name() -> None:
    # the reason for the harness's CustomErrorName patch: a Parallel branch (or Map iteration) that fails with
    # States.QueryEvaluationError makes moto raise ValueError instead of passing the error to the Catch
    from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import CustomErrorName
    from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration import iteration_worker
    from moto.stepfunctions.parser.asl.component.state.exec.state_parallel import branches_decl

    with pytest.raises(ValueError, match=r"MUST NOT begin with the prefix"):
        CustomErrorName("States.QueryEvaluationError")
    assert branches_decl.CustomErrorName is CustomErrorName
    assert iteration_worker.CustomErrorName is CustomErrorName
    assert "CustomErrorName(error_name=exit_error_name)" in inspect.getsource(
        branches_decl.BranchesDecl._eval_body
    )


PARSER_WAITS = {
    # every place moto's interpreter blocks a thread: the harness patches it, recognises it as a join
    # (harness._join_sites), or compiled workflows never reach it (activities, .sync, heartbeats, TestState)
    "asl/component/common/retry/retrier_decl.py": ["time.sleep(interval_seconds)"],  # patched
    "asl/component/program/program.py": ["worker_thread.join(timeout=timeout)"],  # join site
    "asl/component/test_state/program/test_state_program.py": [
        "worker_thread.join(timeout=TEST_CASE_EXECUTION_TIMEOUT_SECONDS)"
    ],
    "asl/component/state/exec/state_map/iteration/job.py": ["self._termination_event.wait()"],  # join site
    "asl/component/state/exec/state_task/state_task_activitiy.py": [
        "task_start_outcome = activity_task_start_endpoint.wait(",
        "outcome = callback_endpoint.wait(timeout=timeout_seconds)",
    ],
    "asl/component/state/exec/state_task/service/state_task_service_callback.py": [
        "time.sleep(_DELAY_SECONDS_SYNC_CONDITION_CHECK)",
        "outcome: CallbackOutcome | None = callback_endpoint.wait(",  # patched (_wait_for_task_token_timeout)
    ],
    "asl/component/state/exec/state_parallel/branches_decl.py": [
        "self._termination_event.wait()",  # join site (BranchWorkerPool.wait)
        "branch_worker_pool.wait()",
    ],
    "asl/component/state/exec/execute_state.py": [
        "finished_on_time: bool = terminated_event.wait(timeout_seconds)"  # join site
    ],
    "asl/component/state/wait/wait_function/wait_function.py": [
        "env.program_state_event.wait(wait_seconds)"  # patched (_wait_interval)
    ],
    "asl/eval/count_down_latch.py": ["self.lock.wait()"],  # unused by the interpreter
    "asl/eval/callback/callback.py": [
        "return self._next_heartbeat_event.wait(timeout=self._heartbeat_seconds)",
        "self._next_activity_task_start_event.wait(timeout=timeout_seconds)",
        "self._notify_event.wait(timeout=timeout)",  # CallbackEndpoint.wait, called by the harness
    ],
    "provider.py": ["time.sleep(1)"],
}


def _parser_lines(pattern: str) -> dict[str, list[str]]:
    import re
    from pathlib import Path

    root = Path(moto.__file__).parent / "stepfunctions" / "parser"
    found: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*.py")):
        for line in path.read_text().splitlines():
            if re.search(pattern, line):
                found.setdefault(path.relative_to(root).as_posix(), []).append(line.strip())
    return found


def test_the_interpreter_blocks_only_where_the_harness_knows() -> None:
    # the harness tells "waiting" from "busy" by where each interpreter thread blocks (harness._busy):
    # a new wait here would make a run never settle (a timeout naming the place), never a wrong answer
    assert _parser_lines(r"\w\.(wait|join)\(|\bsleep\(") == PARSER_WAITS


def test_every_interpreter_thread_is_in_tmp_threads() -> None:
    # the harness finds the interpreter's threads in TMP_THREADS
    from moto.stepfunctions.parser.utils import TMP_THREADS

    assert isinstance(TMP_THREADS, list)
    started = _parser_lines(r"\bThread\(")
    registered = _parser_lines(r"TMP_THREADS\.append\(")
    assert {k: len(v) for k, v in started.items()} == {k: len(v) for k, v in registered.items()}
    assert len(started) == 7


def test_join_sites_block_in_the_calls_the_harness_expects() -> None:
    from moto.stepfunctions.parser.asl.component.program.program import Program
    from moto.stepfunctions.parser.asl.component.state.exec.execute_state import ExecutionState
    from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.job import JobPool
    from moto.stepfunctions.parser.asl.component.state.exec.state_parallel.branches_decl import (
        BranchWorkerPool,
    )

    from portaflow.backends.aws.offline.childruns import join_execution
    from portaflow.backends.aws.offline.harness import _join_sites

    assert "worker_thread.join(" in inspect.getsource(Program.eval)
    assert "self._termination_event.wait()" in inspect.getsource(BranchWorkerPool.wait)
    assert "self._termination_event.wait()" in inspect.getsource(JobPool.await_jobs)
    timed = inspect.getsource(ExecutionState._evaluate_with_timeout)
    assert "terminated_event.wait(timeout_seconds)" in timed
    sites = [
        Program.eval,
        BranchWorkerPool.wait,
        JobPool.await_jobs,
        ExecutionState._evaluate_with_timeout,
        join_execution,  # the harness's own: a .sync:2 Task joining its child execution's thread
    ]
    assert set(_join_sites()) == {(f.__code__.co_filename, f.__code__.co_qualname) for f in sites}
    assert sorted(_join_sites().values()) == ["join", "join", "wait", "wait", "wait"]


def test_a_task_evaluates_its_real_time_bound_first_in_its_own_thread() -> None:
    # the harness drops that bound for callback waits: the first Timeout a thread evaluates inside
    # _evaluate_with_timeout is the one it waits on
    from moto.stepfunctions.parser.asl.component.common.timeouts.timeout import Timeout
    from moto.stepfunctions.parser.asl.component.state.exec.execute_state import ExecutionState
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource import (
        ResourceCondition,
    )

    body = inspect.getsource(ExecutionState._evaluate_with_timeout).split("\n")
    code = [line.strip() for line in body[1:] if line.strip()]
    assert code[:2] == ["self.timeout.eval(env=env)", "timeout_seconds: int = env.stack.pop()"]
    assert "env.stack.append(seconds)" in inspect.getsource(Timeout._eval_body)
    assert ResourceCondition.WaitForTaskToken == "waitForTaskToken"


def test_a_callback_endpoint_wakes_on_an_outcome_or_an_interrupt() -> None:
    # the harness parks a callback wait in CallbackEndpoint.wait() and times it out with interrupt_all()
    import threading

    from moto.stepfunctions.parser.asl.eval.callback.callback import CallbackEndpoint, CallbackOutcomeSuccess

    for wake in ("notify", "interrupt"):
        endpoint = CallbackEndpoint("token")
        got: list[object] = []
        waiter = threading.Thread(target=lambda e=endpoint, g=got: g.append(e.wait()), daemon=True)
        waiter.start()
        if wake == "notify":
            endpoint.notify(CallbackOutcomeSuccess("token", "{}"))
        else:
            endpoint.interrupt_all()
        waiter.join(timeout=10)
        assert not waiter.is_alive()
        assert (got[0] is None) == (wake == "interrupt")
        assert "self._notify_event.wait(timeout=timeout)" in inspect.getsource(CallbackEndpoint.wait)


def test_moto_still_names_heap_keys_lazily_and_only_retriers_use_them() -> None:
    # the reason for the heap_key patch (a race between concurrent Map iterations); when moto makes
    # the key eagerly or under a lock, the patch can go
    from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent

    source = inspect.getsource(EvalComponent)
    assert "if self.__heap_key is None:" in source and "self.__heap_key = long_uid()" in source
    assert isinstance(EvalComponent.__dict__["heap_key"], property)
    users = _parser_lines(r"heap_key")
    assert sorted(users) == [
        "asl/component/common/retry/backoff_rate_decl.py",
        "asl/component/common/retry/max_attempts_decl.py",
        "asl/component/eval_component.py",
    ]


def test_the_retrier_sleeps_through_its_module_global_time() -> None:
    import time

    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

    assert retrier_decl.time is time  # the harness replaces this global once, for every thread


def test_moto_still_takes_a_division_and_a_regex_for_one_regex() -> None:
    # the reason for the variable-scan patch (harness._variable_references); when moto scans like a
    # JSONata lexer, the patch can go
    from moto.stepfunctions.parser.asl.jsonata.jsonata import (
        IllegalJSONataVariableReference,
        extract_jsonata_variable_references,
    )

    with pytest.raises(IllegalJSONataVariableReference):
        extract_jsonata_variable_references("$a / 2 & $contains($s, /x$/)")
    assert extract_jsonata_variable_references("$a / $hidden / 2") == {"$a"}


def test_the_variable_scan_is_called_where_the_harness_patches_it() -> None:
    # the harness patches the name in the module that evaluates JSONata strings (and in its home
    # module); the static analysers only read JSONPath "$var" strings, which compiled workflows lack
    from moto.stepfunctions.parser.asl.component.common.string import string_expression

    assert "extract_jsonata_variable_references(self.expression)" in inspect.getsource(
        string_expression.StringJSONata._eval_body
    )
    callers = _parser_lines(r"extract_jsonata_variable_references\(")
    assert sorted(callers) == [
        "asl/component/common/string/string_expression.py",
        "asl/jsonata/jsonata.py",
        "asl/static_analyser/intrinsic/variable_names_intrinsic_static_analyser.py",
        "asl/static_analyser/variable_references_static_analyser.py",
    ]


def test_jsonata_python_sort_still_reverses_ties_and_the_fix_keeps_their_order() -> None:
    jsonata = pytest.importorskip("jsonata")
    from portaflow.backends.aws.offline.jsonata_eval import evaluate, faithful

    items = '[{"k": 1, "n": "a"}, {"k": 0, "n": "b"}, {"k": 1, "n": "c"}]'
    text = f"$sort({items}, function($l, $r){{$l.k > $r.k}}).n"
    assert jsonata.Jsonata(text).evaluate(None) == ["b", "c", "a"]  # the bug the harness works around
    with faithful():
        assert evaluate(text) == ["b", "a", "c"]  # jsonata-js's merge sort


def test_moto_still_raises_task_timed_out_without_a_message_or_an_error_code() -> None:
    """The harness checks a timed-out token itself before moto's send_task_success, which would raise
    ``TaskTimedOut()`` (no message: a TypeError) of a class without the TYPE moto's responses read."""
    from moto.stepfunctions.parser.api import TaskTimedOut
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    source = inspect.getsource(StepFunctionsParserBackend.send_task_success)
    assert "raise TaskTimedOut()" in source and "CallbackConsumerTimeout" in source
    assert list(inspect.signature(StepFunctionsParserBackend.send_task_success).parameters) == [
        "self",
        "task_token",
        "outcome",
    ]
    assert not getattr(TaskTimedOut, "TYPE", "")


def test_jsonata_python_still_takes_now_from_the_timebox_clock() -> None:
    """The harness puts $now()/$millis() on its virtual clock by patching Timebox.current_milli_time, which
    jsonata-python reads for each evaluation's timestamp."""
    from jsonata import jsonata as jsonata_mod
    from jsonata import timebox

    assert callable(timebox.Timebox.current_milli_time)
    assert "self.timestamp = timebox.Timebox.current_milli_time()" in inspect.getsource(jsonata_mod.Jsonata)


def test_moto_still_drops_send_task_failures_cause_where_the_harness_passes_it_on() -> None:
    """A failure event's message and MRO travel in SendTaskFailure's cause; moto's request handler passes
    only the error to a backend that takes both."""
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend
    from moto.stepfunctions.responses import StepFunctionResponse

    handler = inspect.getsource(StepFunctionResponse.send_task_failure)
    assert "send_task_failure(task_token, error=error)" in handler and "cause" not in handler
    params = list(inspect.signature(StepFunctionsParserBackend.send_task_failure).parameters)
    assert params == ["self", "task_token", "error", "cause"]


def test_moto_still_gives_startexecution_the_tasks_arguments_and_response_as_they_are() -> None:
    # childruns.patches: moto's hooks that should convert the Task's PascalCase arguments to boto's
    # parameters and boto's response back are no-ops, and its .sync wait polls on the wall clock
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import service

    StateTaskService = service.state_task_service.StateTaskService
    StateTaskServiceCallback = service.state_task_service_callback.StateTaskServiceCallback
    StateTaskServiceSfn = service.state_task_service_sfn.StateTaskServiceSfn

    for hook in (StateTaskService._normalise_parameters, StateTaskService._normalise_response):
        assert inspect.getsource(hook).rstrip().endswith("pass")
    assert "_normalise_response" not in StateTaskServiceSfn.__dict__
    sfn_params = inspect.getsource(StateTaskServiceSfn._normalise_parameters)
    assert (
        'parameters["Input"] = to_json_str(' in sfn_params and "super()._normalise_parameters(" in sfn_params
    )
    build = inspect.getsource(StateTaskServiceSfn._build_sync2_resolver)
    assert 'execution_arn: str = submission_output["ExecutionArn"]' in build
    assert "_sync2_api_output_of(" in build and "cause=to_json_str(describe_execution_output)" in build
    assert "value[key] = json.loads(inner_value)" in inspect.getsource(
        StateTaskServiceSfn._sync2_api_output_of
    )
    wait = inspect.getsource(StateTaskServiceCallback._eval_sync)
    assert (
        "sync_result = sync_resolver()" in wait and "time.sleep(_DELAY_SECONDS_SYNC_CONDITION_CHECK)" in wait
    )
    assert list(inspect.signature(StateTaskServiceCallback._eval_sync).parameters) == [
        "self",
        "env",
        "sync_resolver",
        "timeout_seconds",
        "callback_endpoint",
        "heartbeat_endpoint",
    ]


def test_an_execution_runs_on_a_thread_whose_target_names_its_arn() -> None:
    # childruns.join_execution finds a child execution's thread by its target's evaluation details
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    assert "Thread(target=self._execution_logic, daemon=True)" in inspect.getsource(ExecutionWorker.start)
    logic = inspect.getsource(ExecutionWorker._get_evaluation_environment)
    assert "Id=self._evaluation_details.execution_details.arn" in logic


def test_unpatched_moto_still_fails_a_sync2_start_on_the_tasks_pascalcase_arguments() -> None:
    # the bug childruns.patches works around, end to end: when this fails, moto was fixed
    import json
    import time
    from unittest import mock

    import boto3  # type: ignore[import-untyped]
    from moto.stepfunctions.parser.asl.jsonata import jsonata as jsonata_mod

    from portaflow.backends.aws.offline import harness

    role = "arn:aws:iam::123456789012:role/r"
    child = {"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    with (
        moto.mock_aws(config={"stepfunctions": {"execute_state_machine": True}}),
        harness.faithful(),
        mock.patch.object(jsonata_mod, "_eval_jsonata", harness._jsonata_eval),
    ):
        sfn = boto3.client("stepfunctions", region_name="us-east-1")
        arn = sfn.create_state_machine(name="c", roleArn=role, definition=json.dumps(child))[
            "stateMachineArn"
        ]
        task = {
            "Type": "Task",
            "Resource": "arn:aws:states:::states:startExecution.sync:2",
            "Arguments": {"StateMachineArn": arn, "Name": "c1", "Input": {}},
            "End": True,
        }
        parent = {"QueryLanguage": "JSONata", "StartAt": "T", "States": {"T": task}}
        machine = sfn.create_state_machine(name="p", roleArn=role, definition=json.dumps(parent))
        run = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], name="p1")["executionArn"]
        deadline = time.monotonic() + 20
        while sfn.describe_execution(executionArn=run)["status"] == "RUNNING" and time.monotonic() < deadline:
            time.sleep(0.02)
        events = sfn.get_execution_history(executionArn=run)["events"]
    failed = [e["taskFailedEventDetails"] for e in events if "taskFailedEventDetails" in e]
    assert failed == [{"error": "States.Runtime", "cause": "'StateMachineArn'"}]
