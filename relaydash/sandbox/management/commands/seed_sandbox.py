"""Fill the sandbox relay with realistic German demo data.

`make run` calls `seed_sandbox --if-empty` so a fresh checkout shows a believable
dashboard at once; tests call it with a small `--orders` and a fixed `--seed`. The same
seed gives the same data on the same day: everything random comes from one seeded
`random.Random` and one seeded Faker, and dates are placed relative to today so the demo
always has overdue, due-today and future orders.

Without `--if-empty` the sandbox tables are emptied first, so reseeding replaces the
demo instead of piling a second copy on top of it. Rows are written with bulk_create
inside one transaction: 5,000 orders take seconds, not minutes.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from relaydash.demo_extras import demo_package
from relaydash.sandbox.models import (
    Address,
    Attachment,
    Comment,
    ContactPerson,
    Customer,
    Order,
    OrderField,
    OrderStatus,
    Property,
)

ACCOUNT_ID = 1
CUSTOMERS = 12
PROPERTIES = 40
BATCH = 500

# Real cities with the postal-code ranges they actually use, so addresses look right.
CITIES: list[tuple[str, int, int]] = [
    ("Berlin", 10115, 14199),
    ("Hamburg", 20095, 22769),
    ("München", 80331, 81929),
    ("Köln", 50667, 51149),
    ("Frankfurt am Main", 60306, 60599),
    ("Stuttgart", 70173, 70629),
    ("Düsseldorf", 40210, 40629),
    ("Leipzig", 4103, 4357),
    ("Dresden", 1067, 1328),
    ("Hannover", 30159, 30669),
    ("Nürnberg", 90402, 90491),
    ("Bremen", 28195, 28779),
    ("Essen", 45127, 45359),
    ("Dortmund", 44135, 44388),
    ("Bonn", 53111, 53229),
    ("Münster", 48143, 48167),
    ("Freiburg im Breisgau", 79098, 79117),
    ("Mannheim", 68159, 68309),
]

STREETS = [
    "Hauptstraße", "Bahnhofstraße", "Schillerstraße", "Goethestraße", "Lindenstraße",
    "Gartenstraße", "Kirchstraße", "Bergstraße", "Friedrichstraße", "Mozartstraße",
    "Waldstraße", "Ringstraße", "Berliner Straße", "Am Markt", "Rosenweg",
    "Beethovenstraße", "Kastanienallee", "Schulstraße", "Parkstraße", "Wilhelmstraße",
    "Uhlandstraße", "Blumenstraße", "Luisenstraße", "Mühlenweg", "Am Stadtpark",
    "Eichendorffstraße", "Kantstraße", "Bismarckstraße", "Jahnstraße", "Lessingstraße",
]  # fmt: skip

SUFFIXES = ["", "", "", "a", "b"]
# German letters an e-mail address spells out.
_ASCII_MAP: dict[str, str | int | None] = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", " ": ".", "-": "."}
ASCII = str.maketrans(_ASCII_MAP)

PROPERTY_KINDS = ["WEG", "Wohnanlage", "Mehrfamilienhaus", "Wohn- und Geschäftshaus", "Stadthaus"]

# Order types with titles a property manager would really write.
ORDER_TYPES: dict[str, list[str]] = {
    "Reparatur": [
        "Heizung in Wohnung {unit} ausgefallen",
        "Wasserhahn tropft in der Küche",
        "Haustür schließt nicht richtig",
        "Rollladen im Wohnzimmer klemmt",
        "Treppenhausbeleuchtung defekt",
        "Klingelanlage ohne Funktion",
        "Fenster undicht, Wohnung {unit}",
    ],
    "Wartung": [
        "Jährliche Heizungswartung",
        "Wartung der Aufzugsanlage",
        "Wartung Lüftungsanlage Tiefgarage",
        "Wartung Hebeanlage im Keller",
        "Prüfung der Feuerlöscher",
    ],
    "Zählerablesung": [
        "Zählerablesung Heizkostenverteiler",
        "Ablesung Wasserzähler {year}",
        "Zwischenablesung wegen Mieterwechsel, Wohnung {unit}",
        "Stromzähler Allgemeinstrom ablesen",
    ],
    "Rauchwarnmelderprüfung": [
        "Jährliche Prüfung der Rauchwarnmelder",
        "Rauchwarnmelder piept in Wohnung {unit}",
        "Rauchwarnmelder nachrüsten im Dachgeschoss",
    ],
    "Schadensmeldung": [
        "Wasserschaden im Keller",
        "Sturmschaden am Dach",
        "Schimmel im Badezimmer, Wohnung {unit}",
        "Rohrbruch im Heizungsraum",
        "Graffiti an der Fassade",
        "Verstopfter Abfluss im Erdgeschoss",
    ],
    "Gartenpflege": ["Heckenschnitt im Innenhof", "Laub entfernen, Zufahrt freiräumen"],
    "Winterdienst": ["Winterdienst Gehweg und Zufahrt", "Streugut nachfüllen"],
}

UNITS = ["EG links", "EG rechts", "1. OG links", "1. OG rechts", "2. OG Mitte", "3. OG links", "DG"]

FIELDS: list[tuple[str, list[str]]] = [
    ("Wohnung", UNITS),
    ("Zugang", ["Schlüssel beim Hausmeister", "Mieter ist ab 14 Uhr zu Hause", "Schlüsseltresor am Eingang"]),
    ("Kostenstelle", ["KST-4711", "KST-2030", "KST-1180", "KST-5520"]),
    ("Auftragsnummer Verwaltung", ["HV-{n}"]),
    ("Zählernummer", ["1EMH00{n}", "8WZ{n}"]),
    ("Priorität", ["normal", "hoch", "dringend"]),
]

ATTACHMENTS: list[tuple[str, str]] = [
    ("Schadensfoto_{n}.jpg", "image/jpeg"),
    ("Auftragsschein_{n}.pdf", "application/pdf"),
    ("Grundriss_{n}.pdf", "application/pdf"),
    ("Messprotokoll_{n}.pdf", "application/pdf"),
    ("Foto_vorher_{n}.png", "image/png"),
    ("Angebot_{n}.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
]

STAFF_COMMENTS = [
    "Termin mit dem Mieter für {day} vereinbart.",
    "Techniker war vor Ort, Ersatzteil ist bestellt.",
    "Arbeiten sind abgeschlossen, Fotos anbei.",
    "Wir konnten niemanden antreffen und haben eine Karte hinterlassen.",
    "Kostenvoranschlag folgt bis {day}.",
    "Zählerstände wurden erfasst, Protokoll anbei.",
    "Alle Rauchwarnmelder geprüft, zwei Geräte getauscht.",
    "Bitte um Freigabe der Mehrkosten laut Angebot.",
]

MANAGER_COMMENTS = [
    "Bitte kurzfristig erledigen, der Mieter hat sich erneut gemeldet.",
    "Freigabe erteilt, bitte die Rechnung an die Verwaltung schicken.",
    "Der Schlüssel liegt beim Hausmeister bereit.",
    "Können Sie uns einen Termin in der nächsten Woche nennen?",
    "Danke für die schnelle Erledigung!",
    "Bitte vorher mit dem Beirat abstimmen.",
]

STATUSES = list(OrderStatus.values)
STATUS_WEIGHTS = [30, 25, 20, 5, 8, 12]  # OPEN, IN_PROGRESS, FINISHED, DECLINED, NULL, PREPARE


@dataclass
class Plan:
    """Rows built in memory before they are bulk-created."""

    addresses: list[Address] = field(default_factory=list)
    customers: list[Customer] = field(default_factory=list)
    properties: list[Property] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)


class Command(BaseCommand):
    help = "Fill the sandbox relay with deterministic German demo data (replaces what is there)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--orders", type=int, default=200, help="number of orders (default 200)")
        parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when the sandbox already has orders"
        )
        parser.add_argument(
            "--plan-demo",
            action="store_true",
            help="also plan today's and tomorrow's open orders for the demo field people (make run)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Order.objects.exists():
            if options["verbosity"] > 0:
                self.stdout.write("The sandbox already has orders; nothing seeded.")
            return
        orders = max(0, options["orders"])
        seeder = Seeder(options["seed"], timezone.localdate())
        with transaction.atomic():
            removed = _wipe()
            counts = seeder.run(orders)
        if options["verbosity"] > 0:
            if removed:
                self.stdout.write(f"Removed the previous sandbox data ({removed} orders).")
            self.stdout.write(
                self.style.SUCCESS(
                    "Seeded the sandbox relay: "
                    + ", ".join(f"{count} {name}" for name, count in counts.items())
                    + f" (seed {options['seed']})."
                )
            )
        if options["plan_demo"]:
            # The planning lives with the dashboard (dispatch), which knows orders only by
            # relay's id: hand it the open work with an address, most urgent first.
            work = Order.objects.exclude(status__in=["FINISHED", "DECLINED"]).exclude(address=None)
            ids = list(work.order_by("due_date", "id").values_list("id", flat=True)[:16])
            call_command("plan_demo", order=ids, verbosity=options["verbosity"])


def _wipe() -> int:
    """Empty the sandbox tables, children first so no cascade has to collect rows."""
    orders = Order.objects.count()
    for model in (Attachment, Comment, OrderField, ContactPerson, Order, Property, Customer, Address):
        model.objects.all().delete()
    return orders


class Seeder:
    """Builds the demo world from one seed and one reference day."""

    def __init__(self, seed: int, today: date) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
        self.fake = demo_package("faker").Faker("de_DE")
        self.fake.seed_instance(seed)
        self.today = today
        self.tz = timezone.get_current_timezone()
        # Past events end at today's midnight, not at "now": the same seed on the same
        # day must give the same data whatever the hour.
        self.now = timezone.make_aware(datetime.combine(today, time()), self.tz)
        self.staff = [self.person() for _ in range(6)]

    def person(self) -> str:
        return f"{self.fake.first_name()} {self.fake.last_name()}"

    def at(self, day: date, hour: int | None = None) -> datetime:
        """A working-hours moment on `day` in local time."""
        hour = self.rng.randint(7, 17) if hour is None else hour
        moment = datetime.combine(day, time(hour, self.rng.choice([0, 15, 30, 45])))
        return timezone.make_aware(moment, self.tz)

    def mobile(self) -> str:
        prefix = self.rng.choice(["0151", "0152", "0160", "0170", "0171", "0172", "0176", "0179"])
        return f"{prefix} {self.rng.randint(1000000, 99999999)}"

    def email(self, name: str, domain: str) -> str:
        local = name.lower().translate(ASCII)
        return f"{''.join(c for c in local if c.isalnum() or c == '.')}@{domain}"

    def address(self, city: tuple[str, int, int]) -> Address:
        name, low, high = city
        return Address(
            street_address=f"{self.rng.choice(STREETS)} {self.rng.randint(1, 120)}"
            + self.rng.choice(SUFFIXES),
            postal_code=f"{self.rng.randint(low, high):05d}",
            locality=name,
            country="DE",
            additional_info=self.rng.choice(
                [None, None, None, "Hinterhaus", "Aufgang B", "Zufahrt über Hof"]
            ),
            account_id=ACCOUNT_ID,
        )

    def run(self, order_count: int) -> dict[str, int]:
        plan = Plan()
        self.customers(plan)
        self.properties(plan)
        counts = self.orders(plan, order_count)
        return {"customers": len(plan.customers), "properties": len(plan.properties), **counts}

    def customers(self, plan: Plan) -> None:
        names: set[str] = set()
        for index in range(CUSTOMERS):
            city = self.rng.choice(CITIES)
            while True:
                last = self.fake.last_name()
                name = self.rng.choice(
                    [
                        f"Hausverwaltung {last} GmbH",
                        f"Hausverwaltung {last} & {self.fake.last_name()} GmbH",
                        f"Immobilienverwaltung {last} GmbH",
                        f"Hausverwaltung {city[0]} GmbH",
                    ]
                )
                if name not in names:
                    names.add(name)
                    break
            domain = f"hv-{last.lower().translate(ASCII)}.de"
            address = self.address(city)
            plan.addresses.append(address)
            connected = index % 2 == 0
            plan.customers.append(
                Customer(
                    account_id=ACCOUNT_ID,
                    casavi_tenant_id=10_000 + index if connected else None,
                    casavi_contact_id=700_000 + index if connected else None,
                    internal_id=f"K-{1000 + index}",
                    external_id=None,
                    name=name,
                    status="ACTIVE",
                    status_updated_at=self.at(self.today - timedelta(days=self.rng.randint(30, 400))),
                    telephone=self.fake.phone_number(),
                    address=address,
                    origin="CASAVI" if connected else "RELAY",
                    email_address=f"auftraege@{domain}",
                )
            )
        Address.objects.bulk_create(plan.addresses)
        for customer in plan.customers:
            customer.address_id = customer.address.pk if customer.address else None
        Customer.objects.bulk_create(plan.customers)

    def properties(self, plan: Plan) -> None:
        addresses = []
        for index in range(PROPERTIES):
            city = self.rng.choice(CITIES)
            address = self.address(city)
            addresses.append(address)
            customer = plan.customers[index % len(plan.customers)]
            street = address.street_address
            created = self.at(self.today - timedelta(days=self.rng.randint(200, 900)))
            plan.properties.append(
                Property(
                    name=f"{self.rng.choice(PROPERTY_KINDS)} {street}",
                    external_id=str(40_000 + index) if index % 4 else f"OBJ-{index:03d}",
                    internal_id=f"O-{index + 1:04d}",
                    customer_id=customer.pk,
                    origin="CASAVI" if customer.casavi_tenant_id else "API",
                    address=address,
                    msc_number=f"MSC-{self.rng.randint(100000, 999999)}" if index % 3 else None,
                    casavi_account_id=customer.casavi_tenant_id,
                    created_at=created,
                    updated_at=created + timedelta(days=self.rng.randint(0, 150)),
                )
            )
        Address.objects.bulk_create(addresses)
        for prop in plan.properties:
            prop.address_id = prop.address.pk if prop.address else None
        Property.objects.bulk_create(plan.properties)

    def orders(self, plan: Plan, count: int) -> dict[str, int]:
        orders: list[Order] = []
        owners: list[Customer] = []
        customers = {c.pk: c for c in plan.customers}
        types = list(ORDER_TYPES)
        for index in range(count):
            prop = self.rng.choice(plan.properties)
            kind = self.rng.choice(types)
            title = self.rng.choice(ORDER_TYPES[kind]).format(
                unit=self.rng.choice(UNITS), year=self.today.year
            )
            # Every status appears, and every tenth order is due today.
            status = (
                STATUSES[index] if index < len(STATUSES) else self.rng.choices(STATUSES, STATUS_WEIGHTS)[0]
            )
            due_offset = 0 if index % 10 == 0 else self.rng.randint(-30, 45)
            created_day = self.today - timedelta(days=self.rng.randint(3, 60))
            created = self.at(min(created_day, self.today + timedelta(days=due_offset)))
            updated = min(created + timedelta(hours=self.rng.randint(1, 24 * 20)), self.now)
            follow_up = self.rng.randint(-10, 20) if self.rng.random() < 0.5 else None
            orders.append(
                Order(
                    title=title,
                    status=status,
                    address_id=prop.address_id,
                    due_date=None if index % 23 == 7 else self.at(self.today + timedelta(days=due_offset)),
                    follow_up_date=None
                    if follow_up is None
                    else self.at(self.today + timedelta(days=follow_up), 9),
                    created_at=created,
                    updated_at=max(updated, created),
                    internal_id=None if index % 9 == 4 else f"AUF-{self.today.year}-{index + 1:05d}",
                    is_internal=self.rng.random() < 0.1,
                    type=kind,
                    task_id=f"TASK-{self.rng.randint(10_000_000, 99_999_999)}"
                    if self.rng.random() < 0.7
                    else None,
                    customer_id=prop.customer_id,
                )
            )
            owners.append(customers[prop.customer_id or 0])
        Order.objects.bulk_create(orders, batch_size=BATCH)

        fields: list[OrderField] = []
        attachments: list[Attachment] = []
        contacts: list[ContactPerson] = []
        comments: list[Comment] = []
        comment_files: list[tuple[Comment, list[tuple[str, str]]]] = []
        for order, customer in zip(orders, owners, strict=True):
            fields.extend(self.fields(order))
            attachments.extend(self.order_attachments(order))
            contacts.extend(self.contacts(order, customer))
            for comment, files in self.comments(order, customer):
                comments.append(comment)
                comment_files.append((comment, files))
        OrderField.objects.bulk_create(fields, batch_size=BATCH)
        ContactPerson.objects.bulk_create(contacts, batch_size=BATCH)
        Comment.objects.bulk_create(comments, batch_size=BATCH)
        for comment, files in comment_files:
            attachments.extend(
                Attachment(order_id=comment.order_id, comment=comment, name=name, item_type=item_type,
                           updated_at=comment.created_at)
                for name, item_type in files
            )  # fmt: skip
        Attachment.objects.bulk_create(attachments, batch_size=BATCH)
        return {
            "orders": len(orders),
            "comments": len(comments),
            "attachments": len(attachments),
            "order fields": len(fields),
            "contact persons": len(contacts),
        }

    def fields(self, order: Order) -> list[OrderField]:
        chosen = self.rng.sample(FIELDS, self.rng.randint(0, 3))
        return [
            OrderField(
                order=order,
                position=position,
                name=name,
                content=self.rng.choice(values).format(n=self.rng.randint(10000, 99999)),
            )
            for position, (name, values) in enumerate(chosen, start=1)
        ]

    def attachment(self) -> tuple[str, str]:
        pattern, item_type = self.rng.choice(ATTACHMENTS)
        return pattern.format(n=self.rng.randint(1, 30)), item_type

    def order_attachments(self, order: Order) -> list[Attachment]:
        return [
            Attachment(order=order, name=name, item_type=item_type, updated_at=order.created_at)
            for name, item_type in (self.attachment() for _ in range(self.rng.choice([0, 0, 1, 1, 2])))
        ]

    def contacts(self, order: Order, customer: Customer) -> list[ContactPerson]:
        kinds = ["Hausmeister", "Mieter", "Verwaltung"]
        chosen = self.rng.sample(kinds, self.rng.randint(1, 3))
        people = []
        for kind in chosen:
            name = self.person()
            if kind == "Verwaltung":
                domain = (customer.email_address or "@hausverwaltung.de").split("@")[1]
                email = self.email(name, domain)
            else:
                email = self.email(name, self.rng.choice(["web.de", "gmx.de", "t-online.de", "posteo.de"]))
            people.append(
                ContactPerson(
                    order=order,
                    type=kind,
                    name=name,
                    telephone=self.fake.phone_number(),
                    mobile=self.mobile() if kind != "Verwaltung" or self.rng.random() < 0.5 else None,
                    email_address=email if kind != "Mieter" or self.rng.random() < 0.7 else None,
                )
            )
        return people

    def comments(self, order: Order, customer: Customer) -> list[tuple[Comment, list[tuple[str, str]]]]:
        thread = []
        moment = order.created_at
        manager = f"{self.person()} ({customer.name})"
        for _ in range(self.rng.randint(0, 5)):
            moment = moment + timedelta(hours=self.rng.randint(1, 72), minutes=self.rng.randint(0, 59))
            if moment > self.now:
                break
            by_staff = self.rng.random() < 0.55
            template = self.rng.choice(STAFF_COMMENTS if by_staff else MANAGER_COMMENTS)
            day = (moment + timedelta(days=self.rng.randint(1, 7))).strftime("%d.%m.%Y")
            files = (
                [self.attachment() for _ in range(self.rng.randint(1, 2))] if self.rng.random() < 0.2 else []
            )
            thread.append(
                (
                    Comment(
                        order=order,
                        text=template.format(day=day),
                        author=self.rng.choice(self.staff) if by_staff else manager,
                        created_at=moment,
                    ),
                    files,
                )
            )
        return thread
