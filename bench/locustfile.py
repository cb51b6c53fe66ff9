"""The simulated users of bench/load.py (run by it; LOAD_PLAN names the plan it prepared).

* Manager (weight 3): a signed-in vendor or line manager reading dashboard pages.
* VendorIntegration (weight 2): a vendor user's token reading the API and posting bulk SLA
  measurements (BULK_ROWS rows, new external ids each time).
* Probe (2 users): /healthz/ twice a second each, like a load balancer: the trivial endpoint
  whose latency, next to the pages', shows how much of a page's time is queueing.
"""

import itertools
import json
import os
import random

from locust import HttpUser, between, constant, task

with open(os.environ["LOAD_PLAN"]) as plan:
    PLAN = json.load(plan)
BULK_ROWS = 20
_sessions = itertools.cycle(PLAN["sessions"])
_tokens = itertools.cycle(PLAN["tokens"])
_ids = itertools.count()


class Manager(HttpUser):
    weight = 3
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.session = next(_sessions)
        self.client.cookies.set(PLAN["cookie_name"], self.session["cookie"])

    def page(self, url, name):
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code} {response.error or ''}")
            elif "/accounts/login/" in response.url:
                response.failure("signed out")

    @task(2)
    def home(self):
        self.page("/", "/ (home)")

    @task(2)
    def vendor(self):
        self.page(f"/vendors/{random.choice(self.session['vendors'])}/", "/vendors/[slug]/")

    @task(2)
    def sla_portfolio(self):
        self.page("/slas/", "/slas/")

    @task(2)
    def scorecard_portfolio(self):
        self.page("/scorecards/", "/scorecards/")

    @task(2)
    def reviews(self):
        self.page("/reviews/", "/reviews/")

    @task(1)
    def meeting(self):
        if self.session["meetings"]:
            m = random.choice(self.session["meetings"])
            self.page(f"/vendors/{m['slug']}/reviews/meetings/{m['pk']}/",
                      "/vendors/[slug]/reviews/meetings/[id]/")


class VendorIntegration(HttpUser):
    weight = 2
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.integration = next(_tokens)
        self.client.headers.update({"Authorization": f"Bearer {self.integration['token']}",
                                    "Accept": "application/json"})

    def read(self, url, name):
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code} {response.error or ''}")

    @task(3)
    def measurements(self):
        self.read("/api/v1/sla-measurements/", "/api/v1/sla-measurements/")

    @task(2)
    def slas(self):
        self.read("/api/v1/slas/", "/api/v1/slas/")

    @task(1)
    def vendors(self):
        self.read("/api/v1/vendors/", "/api/v1/vendors/")

    @task(2)
    def bulk_write(self):
        pairs = random.sample(self.integration["pairs"],
                              min(BULK_ROWS, len(self.integration["pairs"])))
        batch = next(_ids)
        rows = [{"service_level": level, "window_start": start,
                 "value": round(random.uniform(97, 100), 2),
                 "external_id": f"load-{PLAN['run']}-{os.getpid()}-{batch}-{i}"}
                for i, (level, start) in enumerate(pairs)]
        with self.client.post("/api/v1/sla-measurements/bulk/", json={"measurements": rows},
                              name="/api/v1/sla-measurements/bulk/",
                              catch_response=True) as response:
            if response.status_code != 201:
                response.failure(f"HTTP {response.status_code} {response.error or ''}: "
                                 f"{(response.text or '')[:200]}")
            elif response.json().get("created") != len(rows):
                response.failure(f"created {response.json().get('created')} of {len(rows)}")


class Probe(HttpUser):
    fixed_count = 2
    wait_time = constant(0.5)

    @task
    def healthz(self):
        with self.client.get("/healthz/", name="/healthz/", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code} {response.error or ''}")
