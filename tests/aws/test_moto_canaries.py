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
    from portaflow.backends.aws.jsonata_eval import evaluate, faithful

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


def test_moto_still_reads_a_division_as_a_regular_expression() -> None:
    # why the harness blanks out regular expressions and divisions before moto looks for variables
    from moto.stepfunctions.parser.asl.jsonata.jsonata import (
        IllegalJSONataVariableReference,
        extract_jsonata_variable_references,
    )

    from portaflow.backends.aws.harness import mask_regexes_and_division

    expression = '$n / 2 & $replace($s, /a$/, "") & $states.input.x'
    with pytest.raises(IllegalJSONataVariableReference):
        extract_jsonata_variable_references(expression)
    assert extract_jsonata_variable_references(mask_regexes_and_division(expression)) == {
        "$n",
        "$replace",
        "$s",
        "$states.input.x",
    }


def test_jsonata_python_to_millis_still_truncates_and_the_fix_is_exact() -> None:
    jsonata = pytest.importorskip("jsonata")
    from portaflow.backends.aws.jsonata_eval import evaluate, faithful

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
