"""Each benchmark as a step of a run: what it needs (database size, local stack), what it publishes."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bench import coldstart, contention, flow, harness, init, layer, payloads, pooler, seed, warm

if TYPE_CHECKING:
    from bench.__main__ import Run


def _say(message: str) -> None:
    from bench.__main__ import say

    say(message)


def _reset_for(run: Run) -> Callable[[Any], None]:
    """What a sample event needs undone before it is replayed (a registration needs its email free)."""

    def reset(function: Any) -> None:
        if function.logical_id == "AuthRegisterFunction":
            with run.db().connect() as conn:
                conn.execute("DELETE FROM users WHERE email = 'new.user@example.com'")

    return reset


def _cold(run: Run, name: str) -> coldstart.ColdStarts:
    stack = run.stack()
    # A POST /generations sample starts an execution: of a machine that ends at once, not of the flow (whose
    # tasks would run in this process while the next cold start is measured).
    overrides = {"STATE_MACHINE_ARN": harness.pass_machine(stack)}
    if stack.extension is not None:  # secrets through the local Parameters and Secrets extension, as in AWS
        overrides["PARAMETERS_SECRETS_EXTENSION_HTTP_PORT"] = str(stack.extension.port)
    return coldstart.ColdStarts(stack.template, stack.aws.endpoint, run.workdir / name, overrides=overrides)


def coldstart_step(run: Run) -> None:
    run.seeded(seed.SMALL)
    cold = _cold(run, "cold")
    _say("  building the deployment copy ...")
    deployment = cold.build("deployment")
    mode = "unchecked-hash"
    layer.prepare(deployment, mode)
    functions = sorted(run.template().functions.values(), key=lambda f: f.logical_id)
    baseline, results = cold.measure(
        functions, deployment, run.args.reps, before_each=_reset_for(run), importtime=True, say=_say
    )
    run.publish(coldstart.section(baseline, results, reps=run.args.reps, mode=mode, deployment=deployment))
    if run.args.ref:
        _say(f"  comparing with {run.args.ref} ...")
        source = layer.checkout(run.args.ref, run.workdir / "ref-source")
        before = cold.build("ref", source)
        layer.prepare(before, mode)
        chosen = [run.template().function(name) for name in (*coldstart.REPRESENTATIVE, "PricingFunction")]
        modes = cold.measure_modes(
            chosen,
            {run.args.ref: before, "this tree": deployment},
            run.args.reps,
            before_each=_reset_for(run),
            say=_say,
        )
        run.publish(coldstart.compare_section(run.args.ref, modes, run.args.reps))
        shutil.rmtree(before.root)
        shutil.rmtree(source)
    shutil.rmtree(deployment.root)


def init_step(run: Run) -> None:
    run.seeded(seed.SMALL)
    cold = _cold(run, "init")
    stack = run.stack()
    assert stack.extension is not None
    functions = sorted(run.template().functions.values(), key=lambda f: f.logical_id)
    if run.quick:
        functions = [f for f in functions if f.logical_id in (*coldstart.REPRESENTATIVE, "PricingFunction")]
    if run.args.functions:
        named = {f"{name.strip().removesuffix('Function')}Function" for name in run.args.functions.split(",")}
        functions = [f for f in functions if f.logical_id in named]
    # Nine samples: the thresholds (1.25x, 2x) are within the machine's 10-20 % noise of five samples' median.
    reps = 3 if run.quick else 9
    with pooler.pgbouncer(run.db().url) as pooled_url:
        pooled = None
        if pooled_url is None:
            _say("  no pgbouncer installed (apt-get install pgbouncer): the pooled figures are left out")
        else:
            pooled = "/imagify/bench/pooled-database-url"
            stack.aws.client("ssm").put_parameter(Name=pooled, Value=pooled_url, Type="SecureString", Overwrite=True)
        events = init.work_events(functions, run.db(), run.workdir / "init-events")
        figures = init.run(cold, functions, events, reps, stack.extension.port, _say, pooled_parameter=pooled)
        before = None
        if run.args.ref:
            source = init.checkout(run.args.ref, run.workdir / "init-ref")
            earlier = init.run(
                cold, functions, events, reps, stack.extension.port, _say, root=source, pooled_parameter=pooled
            )
            before = (run.args.ref, earlier)
    run.publish(init.section(figures, reps, before))


def pyc_step(run: Run) -> None:
    run.seeded(seed.SMALL)
    cold = _cold(run, "pyc")
    _say("  building the deployment copy ...")
    source = cold.build("source")
    functions = [run.template().function(name) for name in coldstart.REPRESENTATIVE]
    deployments = {}
    for mode in ("stale", "checked-hash", "unchecked-hash"):
        _say(f"  bytecode: {mode}")
        deployments[mode] = layer.copy(source, run.workdir / "pyc" / mode)
        layer.prepare(deployments[mode], mode)
    modes = cold.measure_modes(functions, deployments, run.args.reps, before_each=_reset_for(run), say=_say)
    for deployment in (source, *deployments.values()):
        shutil.rmtree(deployment.root)
    run.publish(coldstart.pyc_section(modes, run.args.reps))


def _in_process(run: Run) -> Any:
    """The local stack, with this process's handlers set up as the benchmarks call them."""
    stack = run.stack()
    harness.quiet_logs()
    return stack


def payloads_step(run: Run) -> None:
    run.seeded(seed.SMALL)
    stack = _in_process(run)
    scene = warm.scene(run.db(), seed.HOT_USER)
    run.publish(payloads.section(payloads.stored_sizes(), payloads.page_sizes(stack, scene), payloads.serving_times()))
    run.publish(payloads.sizes_section(payloads.result_sizes(stack, run.db(), seed.HOT_USER)))


def flow_step(run: Run) -> None:
    run.seeded(seed.SMALL)
    stack = _in_process(run)
    result = flow.run(stack, run.db(), 20 if run.quick else 100, _say)
    run.publish(flow.section(result))


def batch_step(run: Run) -> None:
    run.seeded(seed.SMALL)
    stack = _in_process(run)
    run.publish(flow.batch_section(flow.run_batches(stack, run.db(), 5 if run.quick else 20, _say)))


def contention_step(run: Run) -> None:
    run.seeded(seed.SMALL)
    stack = _in_process(run)
    scenarios = contention.run(stack, run.db(), threads=8, per_thread=10 if run.quick else 25, say=_say)
    run.publish(contention.section(scenarios))


def _item_photo(run: Run) -> str:
    """A wardrobe photo of about 100 KB as a data URI (what the frontend uploads)."""
    photos = run.seeder().pools.photos.uris
    return min(photos, key=lambda uri: abs(len(uri) - 100_000))


def warm_step(run: Run) -> None:
    run.seeded(seed.SMALL)
    stack = _in_process(run)
    os.environ["STATE_MACHINE_ARN"] = harness.pass_machine(stack)
    harness.clear_caches()
    handlers = harness.Handlers(stack.template)
    writer = warm.new_writer(run.db())
    n = 50 if run.quick else 200
    item = _item_photo(run)
    results = []
    if run.seeder().counts()["generations"] < run.args.scale.generations:
        # A database kept from an earlier run (--pgdata) may already be full size: then only that is measured.
        small = warm.run_stage(
            handlers, warm.scene(run.db(), writer), seed.SMALL.name, n, item, profile=False, say=_say
        )
        results.append(small)
    run.seeded(run.args.scale)
    results.append(
        warm.run_stage(handlers, warm.scene(run.db(), writer), run.args.scale.name, n, item, profile=True, say=_say)
    )
    run.publish(warm.section(results, n))


STEPS: dict[str, Callable[[Run], None]] = {
    "payloads": payloads_step,
    "coldstart": coldstart_step,
    "pyc": pyc_step,
    "flow": flow_step,
    "batch": batch_step,
    "init": init_step,
    "contention": contention_step,
    "warm": warm_step,
}
