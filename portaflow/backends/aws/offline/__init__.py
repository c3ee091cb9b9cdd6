"""The offline executor on moto, the JavaScript-faithful JSONata evaluator and the expression checker."""
