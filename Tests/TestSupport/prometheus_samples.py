"""Reads a Prometheus text exposition on stdin and prints its samples as JSON, parsed by the
official Python client's parser (prometheus_client.parser), so a test checks what Prometheus
itself would read: [{"family", "type", "name", "labels", "value"}, ...]. A malformed exposition
makes the parser raise, and this script exit non-zero."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families


def main() -> None:
    samples = []
    for family in text_string_to_metric_families(sys.stdin.read()):
        for sample in family.samples:
            samples.append({"family": family.name, "type": family.type, "name": sample.name,
                            "labels": sample.labels, "value": sample.value})
    json.dump(samples, sys.stdout)


if __name__ == "__main__":
    main()
