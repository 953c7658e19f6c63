"""The demo catalogue loaded by `manage.py seed_demo`: a few hundred realistic listings of the demo
sellers, created, submitted and approved through the listing services so every published listing
carries its recorded decisions. A handful stay in review or as drafts, so the moderation queue and
the sellers' dashboards have work. Deterministic, and safe to run again: a seller's listing with
the same title is never created twice."""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from accounts.models import Company, Membership, MembershipRole, User

from marketplace import services
from marketplace.models import Listing, ListingStatus

# Approximate units of the seller's currency per euro, for list prices that look local.
RATES = {"EUR": 1.0, "TRY": 50.0, "CNY": 8.3, "KES": 150.0, "BRL": 6.3}

SANCTIONED = ("BY", "IR", "KP", "RU", "SY")
FRESH_MARKETS = ("AE", "BE", "CH", "DE", "FR", "GB", "NL", "QA", "SA")
STONE_MARKETS = ("AE", "CA", "CN", "DE", "ES", "GB", "IT", "MX", "SA", "US")

# name, issuer, number prefix, valid until
CERTIFICATES: dict[str, tuple[str, str, str, date | None]] = {
    "iso9001": ("ISO 9001:2015", "TÜV SÜD", "12 100 ", date(2027, 9, 30)),
    "iso14001": ("ISO 14001:2015", "Bureau Veritas", "BV-EMS-", date(2028, 2, 29)),
    "oekotex": ("OEKO-TEX Standard 100", "Hohenstein", "21.HTR.", date(2027, 3, 31)),
    "gots": ("GOTS (Global Organic Textile Standard)", "Control Union", "CU ", date(2027, 6, 30)),
    "fairtrade": ("Fairtrade", "FLOCERT", "FLO-ID ", date(2028, 1, 31)),
    "rainforest": ("Rainforest Alliance", "Rainforest Alliance", "RA-CERT-", date(2027, 11, 30)),
    "globalgap": ("GLOBALG.A.P. IFA", "Control Union", "GGN 4063061", date(2027, 4, 30)),
    "mps": ("MPS-ABC", "MPS", "MPS-", date(2027, 12, 31)),
    "kebs": ("KEBS Standardization Mark", "Kenya Bureau of Standards", "SM#", date(2027, 10, 31)),
    "ce": ("CE (EU declaration of conformity)", "TÜV Rheinland", "CE-", None),
    "ce_machinery": ("CE (Machinery Directive 2006/42/EC)", "TÜV Rheinland", "MD-", None),
    "atex": ("ATEX 2014/34/EU", "DEKRA", "DEKRA 24ATEX", date(2029, 5, 31)),
    "rohs": ("RoHS 2011/65/EU test report", "SGS", "SZXEC", date(2027, 12, 31)),
    "ul": ("UL 94 V-0 recognised laminate", "UL Solutions", "E", None),
    "lfgb": ("LFGB food contact test", "SGS", "NGBHL", date(2027, 8, 31)),
    "fsc": ("FSC Chain of Custody", "SCS Global Services", "SCS-COC-", date(2028, 3, 31)),
    "lwg": ("Leather Working Group, Gold", "Leather Working Group", "LWG-", date(2027, 8, 31)),
    "minas": ("Certifica Minas Café", "IMA", "CMC-", date(2027, 7, 31)),
}


@dataclass(frozen=True)
class Product:
    """A product family; each variant becomes one listing titled `title` with {v} filled in."""

    title: str
    category: str
    hs_code: str
    unit: str
    price_eur: float  # first-tier unit price of a variant with factor 1
    weight_kg: float
    moq: int
    multiple: int
    lead: int
    incoterms: tuple[str, ...]
    variants: tuple[tuple, ...]  # (text, factor) or (text, factor, hs_code)
    blurb: str
    dims: tuple[float, float, float] | None = None
    certs: tuple[str, ...] = ()
    ships: tuple[str, tuple[str, ...]] = ("all_except", ())


@dataclass
class DemoListing:
    seller_key: str  # the seller's registration number
    data: dict[str, Any]
    target: str = ListingStatus.PUBLISHED
    sampled: bool = True  # may be left in review or as a draft


@dataclass
class DemoResult:
    created: int = 0
    published: int = 0
    pending_review: int = 0
    drafts: int = 0
    skipped: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


P = Product

CATALOGUE: dict[str, tuple[Product, ...]] = {
    # Anatolia Textiles A.Ş., Bursa (TR)
    "TR-3481920": (
        P("Turkish cotton bath towel, {v}", "textiles/home-textiles", "630260", "piece", 4.20, 0.60, 200, 50, 21,
          ("FOB", "EXW", "CIF"), (("70×140 cm, 500 g/m², white", 1.0), ("70×140 cm, 500 g/m², anthracite", 1.03),
                                  ("70×140 cm, 600 g/m², white", 1.18), ("50×90 cm, 500 g/m², white", 0.5),
                                  ("30×50 cm guest towel, white", 0.2), ("100×150 cm beach towel, striped", 1.45)),
          "Ring-spun combed cotton terry, double-stitched hems and a hanging loop. Reactive dyes, colour-fast "
          "at 60 °C. Packed in tens, in polybags, export cartons of 40.",
          dims=(35, 25, 4), certs=("oekotex",)),
        P("Peshtemal hammam towel, {v}", "textiles/home-textiles", "630291", "piece", 3.60, 0.35, 200, 50, 18,
          ("FOB", "EXW"), (("90×180 cm, sultan pattern, navy", 1.0), ("90×180 cm, honeycomb, sand", 1.05),
                           ("100×180 cm, diamond weave, olive", 1.1), ("90×170 cm, bamboo-cotton, grey", 1.2)),
          "Flat-woven on shuttle looms in Denizli, hand-knotted fringes. Light, quick to dry, softer with every wash.",
          dims=(30, 20, 3), certs=("oekotex",)),
        P("Waffle-weave cotton bathrobe, {v}", "textiles/home-textiles", "620791", "piece", 11.50, 0.90, 100, 20, 28,
          ("FOB", "EXW", "CIF"), (("S/M, white", 1.0), ("L/XL, white", 1.05), ("L/XL, stone grey", 1.08),
                                  ("kids' sizes 4–10, hooded", 0.7)),
          "Hotel-grade waffle piqué, shawl collar, two patch pockets, belt loops. Each robe folded and polybagged.",
          dims=(40, 30, 6), certs=("oekotex",)),
        P("Terry bathrobe with shawl collar, {v}", "textiles/home-textiles", "620891", "piece", 14.00, 1.20, 100, 20,
          28, ("FOB", "EXW"), (("women's S/M, ivory", 1.0), ("women's L/XL, ivory", 1.05),
                               ("women's M, blush pink", 1.05)),
          "450 g/m² loop terry in combed cotton, velour outside, loop inside. Private label available.",
          dims=(40, 30, 8), certs=("oekotex",)),
        P("Percale bed linen set, {v}", "textiles/home-textiles", "630231", "set", 22.00, 1.60, 50, 10, 30,
          ("FOB", "EXW", "CIF"), (("single, white", 0.8), ("double, white", 1.0), ("king, white", 1.2),
                                  ("double, sage", 1.05), ("king, stone grey", 1.25)),
          "200 thread count organic cotton percale: duvet cover, fitted sheet and two pillowcases, in a "
          "recycled-cardboard box.",
          dims=(40, 30, 8), certs=("gots", "oekotex")),
        P("Denim fabric, {v}", "textiles/fabrics", "520942", "m", 3.10, 0.42, 1000, 100, 30,
          ("FOB", "EXW"), (("12 oz, indigo, rigid", 1.0), ("12 oz, indigo, 2% elastane", 1.08),
                           ("10 oz, light blue", 0.92), ("14 oz, selvedge", 1.6), ("8 oz, black stretch", 0.95)),
          "Rope-dyed ring yarns, 150 cm usable width, sanforised, shrinkage below 3%. Rolls of 50–60 m.",
          certs=("oekotex",)),
        P("Cotton poplin fabric, {v}", "textiles/fabrics", "520832", "m", 1.90, 0.12, 1000, 100, 21,
          ("FOB", "EXW"), (("white, 120 g/m²", 1.0), ("navy, 120 g/m²", 1.05), ("sky blue, 115 g/m²", 1.05),
                           ("khaki, 130 g/m²", 1.08)),
          "100% cotton plain weave for shirts and uniforms, 145 cm wide, piece-dyed, mercerised.",
          certs=("oekotex",)),
        P("Organic cotton jersey T-shirt, {v}", "textiles/garments", "610910", "piece", 3.40, 0.16, 300, 50, 35,
          ("FOB", "EXW"), (("white, 160 g/m²", 1.0), ("black, 160 g/m²", 1.03), ("navy, 180 g/m²", 1.1),
                           ("heather grey, 180 g/m²", 1.1)),
          "Single jersey, crew neck, side-seamed, sizes XS–3XL in one order. Blank or with your print.",
          dims=(30, 22, 2), certs=("gots",)),
        P("Combed cotton yarn, {v}", "textiles/yarn", "520524", "kg", 3.20, 1.0, 500, 50, 20,
          ("FOB", "EXW"), (("Ne 20/1, raw white, for weaving", 0.92, "520523"),
                           ("Ne 30/1, raw white, compact", 1.0, "520524"),
                           ("Ne 40/1, raw white, compact", 1.12, "520526")),
          "Ring-spun from Aegean cotton, waxed for knitting on request, on 1.9 kg cones, 24 cones a carton."),
    ),
    # Shenzhen Bright Circuits Co., Ltd. (CN)
    "91440300MA5F00001A": (
        P("FR-4 printed circuit board, {v}", "electronics/pcb", "853400", "piece", 0.85, 0.03, 500, 100, 12,
          ("FOB", "EXW", "DAP"), (("2-layer, 1.6 mm, HASL lead-free, 100×80 mm", 1.0),
                                  ("4-layer, 1.6 mm, ENIG, 100×100 mm", 2.6),
                                  ("6-layer, ENIG, impedance controlled", 5.5), ("2-layer, 0.8 mm, OSP", 0.8),
                                  ("8-layer HDI, blind and buried vias", 11.0),
                                  ("aluminium-core LED board, 1.5 mm", 0.9)),
          "Made to your Gerber files. Electrical test on every board, IPC-A-600 class 2 (class 3 on request), "
          "vacuum-packed with desiccant.",
          certs=("iso9001", "ul", "rohs")),
        P("Flexible printed circuit, {v}", "electronics/pcb", "853400", "piece", 1.40, 0.01, 500, 100, 15,
          ("FOB", "EXW"), (("1-layer polyimide, 0.1 mm", 1.0), ("2-layer polyimide with FR-4 stiffener", 1.8),
                           ("rigid-flex, 4 layers", 6.0)),
          "Polyimide flex circuits with coverlay, ENIG finish, laser-cut outlines.",
          certs=("iso9001", "rohs")),
        P("LED ceiling panel, {v}", "electronics/lighting", "940511", "piece", 9.80, 2.40, 50, 10, 20,
          ("FOB", "EXW", "CIF"), (("600×600 mm, 36 W, 4000 K", 1.0), ("600×600 mm, 40 W, 6500 K", 1.05),
                                  ("300×1200 mm, 40 W, 4000 K", 1.1), ("600×600 mm, 36 W, DALI dimmable", 1.6),
                                  ("Ø 225 mm round, 18 W, 3000 K", 0.55)),
          "Back-lit panel, 120 lm/W, UGR < 19, flicker-free driver, 5-year warranty. Two per carton.",
          dims=(62, 62, 4), certs=("ce", "rohs")),
        P("LED bulb, {v}", "electronics/lighting", "853952", "piece", 0.55, 0.05, 1000, 100, 15,
          ("FOB", "EXW"), (("A60 E27, 9 W, 2700 K", 1.0), ("A60 E27, 12 W, 6500 K", 1.15), ("C37 E14 candle, 5 W", 0.9),
                           ("GU10 spot, 5 W, 36°", 0.85), ("G9 capsule, 3 W", 0.7),
                           ("filament ST64 E27, 6 W, amber", 1.6)),
          "Ra > 80, 15,000 h rated life, in printed colour boxes or plain white boxes for private label.",
          certs=("ce", "rohs")),
        P("LED floodlight, {v}", "electronics/lighting", "940542", "piece", 8.50, 1.20, 20, 10, 20,
          ("FOB", "EXW"), (("50 W, IP65", 1.0), ("100 W, IP65", 1.7), ("200 W, IP66, with mounting bracket", 3.1)),
          "Die-cast aluminium housing, tempered glass, 110 lm/W, surge protection 4 kV.",
          dims=(25, 20, 6), certs=("ce", "rohs")),
        P("LED strip, {v}", "electronics/lighting", "940542", "piece", 2.90, 0.20, 100, 50, 10,
          ("FOB", "EXW"), (("5 m reel, 12 V, 2835 SMD, 60 LED/m, 4000 K", 1.0), ("5 m reel, 24 V, COB, 3000 K", 1.9),
                           ("5 m reel, 24 V, RGB, IP65 silicone", 1.6)),
          "Flexible strip on 3M adhesive tape, cuttable every 5 cm, with a 15 cm lead wire.",
          certs=("ce", "rohs")),
        P("SMD thick-film chip resistors, {v}, reel of 5,000", "electronics/components", "853321", "box", 1.10, 0.08,
          20, 10, 7, ("FOB", "EXW", "CPT"), (("0402, 1%", 1.0), ("0603, 1%", 1.0), ("0805, 1%", 1.1),
                                             ("1206, 5%", 1.2)),
          "E24 and E96 values from 1 Ω to 10 MΩ, AEC-Q200 available, on 7-inch paper-tape reels.",
          certs=("iso9001", "rohs")),
        P("MLCC ceramic capacitors, {v}, reel of 4,000", "electronics/components", "853224", "box", 2.30, 0.08, 20, 10,
          7, ("FOB", "EXW", "CPT"), (("0603, 100 nF, 50 V, X7R", 1.0), ("0805, 10 µF, 25 V, X5R", 2.2),
                                     ("0402, 1 µF, 16 V, X5R", 1.4)),
          "Multilayer ceramic chip capacitors, 7-inch reels, moisture sensitivity level 1.",
          certs=("iso9001", "rohs")),
        P("Pin header connector, {v}", "electronics/components", "853669", "piece", 0.06, 0.002, 1000, 500, 10,
          ("FOB", "EXW"), (("2.54 mm pitch, 1×40, straight", 1.0), ("2.54 mm pitch, 2×20, right-angle", 1.3),
                           ("1.27 mm pitch, 2×25, SMD", 2.0)),
          "Brass pins, gold flash over nickel, PA9T housing rated for reflow soldering.",
          certs=("rohs",)),
        P("USB-C connector, {v}", "electronics/components", "853669", "piece", 0.18, 0.002, 1000, 500, 10,
          ("FOB", "EXW"), (("16-pin SMD receptacle", 1.0), ("24-pin mid-mount receptacle", 1.6)),
          "USB Type-C receptacles on tape and reel, 10,000 mating cycles.",
          certs=("rohs",)),
    ),
    # Ningbo Homeware Trading Co., Ltd. (CN)
    "91330201MA2H00002E": (
        P("Stainless steel saucepan, {v}", "home-goods/kitchenware", "732393", "piece", 6.80, 1.10, 48, 12, 30,
          ("FOB", "EXW", "CIF"), (("16 cm, 1.5 l, with glass lid", 0.9), ("18 cm, 2 l, with glass lid", 1.0),
                                  ("20 cm, 3 l, with glass lid", 1.15), ("tri-ply, 18 cm, 2 l", 1.6)),
          "18/10 stainless steel, encapsulated base for induction, riveted handles, dishwasher-safe.",
          dims=(30, 20, 12), certs=("lfgb",)),
        P("Stainless steel stockpot, {v}", "home-goods/kitchenware", "732393", "piece", 14.00, 2.80, 24, 6, 30,
          ("FOB", "EXW"), (("24 cm, 9 l", 1.0), ("28 cm, 14 l", 1.35), ("32 cm, 22 l", 1.8)),
          "Restaurant-grade stockpot with sandwich base and lid, suitable for all hobs.",
          dims=(34, 34, 26), certs=("lfgb",)),
        P("Non-stick aluminium frying pan, {v}", "home-goods/kitchenware", "761510", "piece", 5.20, 0.90, 60, 12, 30,
          ("FOB", "EXW"), (("24 cm", 1.0), ("28 cm", 1.2), ("28 cm, induction base", 1.45), ("wok, 32 cm", 1.5)),
          "Forged aluminium, three-layer PFAS-free ceramic coating, soft-touch handle.",
          dims=(45, 29, 6), certs=("lfgb",)),
        P("Porcelain dinnerware set, {v}", "home-goods/kitchenware", "691110", "set", 21.00, 7.50, 20, 4, 40,
          ("FOB", "EXW", "CIF"), (("16 pieces, white", 1.0), ("16 pieces, reactive glaze, ocean blue", 1.2),
                                  ("24 pieces, white, hotel grade", 1.45),
                                  ("30 pieces, stoneware, sand", 1.6, "691200")),
          "Dinner plates, side plates, bowls and mugs for four or six. Microwave- and dishwasher-safe, "
          "drop-tested gift box.",
          dims=(40, 30, 30), certs=("lfgb",)),
        P("Silicone kitchen utensil set, {v}", "home-goods/kitchenware", "392410", "set", 3.40, 0.50, 100, 20, 25,
          ("FOB", "EXW"), (("5 pieces, beech handles", 1.0), ("10 pieces, with holder", 1.9), ("3 spatulas", 0.6)),
          "Food-grade platinum silicone, heat-resistant to 230 °C, one-piece heads.",
          certs=("lfgb",)),
        P("Borosilicate glass food container, {v}", "home-goods/kitchenware", "701342", "piece", 1.90, 0.55, 96, 24,
          30, ("FOB", "EXW"), (("370 ml, rectangular, snap lid", 0.8), ("640 ml, rectangular, snap lid", 1.0),
                               ("1,040 ml, square, snap lid", 1.3), ("set of 5 with bamboo lids", 4.2)),
          "Oven-safe to 400 °C without lid, airtight silicone seal, BPA-free polypropylene lid.",
          certs=("lfgb",)),
        P("Kitchen knife, {v}", "home-goods/kitchenware", "821192", "piece", 3.50, 0.25, 100, 20, 35,
          ("FOB", "EXW"), (("chef's knife 20 cm, 5Cr15MoV", 1.0), ("santoku 18 cm", 1.0), ("bread knife 20 cm", 0.9),
                           ("paring knife 9 cm", 0.5), ("5-piece knife block set", 5.5, "821110")),
          "Full-tang blades hardened to 56 HRC, POM handles, blade guard and window box.",
          certs=("lfgb",)),
        P("Bamboo cutting board, {v}", "home-goods/kitchenware", "441911", "piece", 2.60, 1.10, 100, 25, 30,
          ("FOB", "EXW"), (("38×28 cm", 1.0), ("45×30 cm with juice groove", 1.4), ("set of 3", 2.2)),
          "Moso bamboo, food-safe mineral oil finish, shrink-wrapped with a printed label.",
          certs=("fsc",)),
        P("Ceramic table lamp, {v}", "home-goods/home-decor", "940521", "piece", 11.00, 2.20, 50, 10, 40,
          ("FOB", "EXW"), (("35 cm, sand glaze, linen shade", 1.0), ("45 cm, ocean blue glaze", 1.3)),
          "Stoneware base, E27 LED lamp holder with inline switch, EU or UK plug.",
          dims=(30, 30, 40), certs=("ce",)),
        P("Scented candle, {v}", "home-goods/home-decor", "340600", "piece", 1.60, 0.30, 120, 24, 30,
          ("FOB", "EXW"), (("soy wax, 200 g glass jar, fig", 1.0), ("soy wax, 200 g glass jar, cedar", 1.0),
                           ("pillar candles, set of 3, ivory", 1.4)),
          "Cotton wick, about 40 hours burn time, gift box with your logo from 1,200 pieces."),
    ),
    # Rhein Maschinenbau GmbH, Duisburg (DE)
    "HRB 104233": (
        P("CNC-machined aluminium housing, {v}", "machinery/machine-parts", "848790", "piece", 38.00, 0.60, 20, 10,
          21, ("EXW", "FCA", "DAP"), (("AlMg4.5Mn, anodised, 120×80×40 mm", 1.0), ("EN AW-6082 T6, 200×150×60 mm", 1.9),
                                      ("EN AW-7075 T6, aerospace grade", 2.6)),
          "Milled on 5-axis machines to your drawing, tolerances to ±0.01 mm, first-article inspection report "
          "with every batch.",
          dims=(20, 15, 8), certs=("iso9001",), ships=("all_except", SANCTIONED)),
        P("Precision turned shaft, {v}", "machinery/machine-parts", "848310", "piece", 24.00, 1.20, 50, 10, 21,
          ("EXW", "FCA", "DAP"), (("C45, Ø 20 × 300 mm, ground", 1.0),
                                  ("42CrMo4, Ø 35 × 500 mm, induction hardened", 2.4),
                                  ("stainless 1.4305, Ø 12 × 150 mm", 0.8)),
          "Turned and cylindrically ground, keyways and threads to drawing, 3.1 material certificate.",
          certs=("iso9001",), ships=("all_except", SANCTIONED)),
        P("Spur gear, {v}", "machinery/machine-parts", "848340", "piece", 31.00, 0.90, 20, 10, 28,
          ("EXW", "FCA"), (("module 2, 40 teeth, C45", 1.0), ("module 3, 60 teeth, case-hardened", 2.1),
                           ("helical, module 2.5, 32 teeth", 1.6)),
          "Hobbed and ground to DIN 3962 quality 6, bore and keyway to order.",
          certs=("iso9001",), ships=("all_except", SANCTIONED)),
        P("Centrifugal pump, {v}", "machinery/industrial-machinery", "841370", "piece", 780.00, 45.0, 1, 1, 28,
          ("EXW", "FCA", "DAP"), (("end-suction, 2.2 kW, DN 50, EN 733", 1.0),
                                  ("end-suction, 4 kW, DN 65, EN 733", 1.3),
                                  ("stainless 1.4408, 5.5 kW, DN 80", 2.4), ("close-coupled, 1.5 kW, cast iron", 0.75),
                                  ("vertical multistage, 3 kW", 1.6)),
          "IE3 motor, mechanical seal, pump curve and test certificate with each pump. Spare parts held for "
          "ten years.",
          dims=(80, 40, 45), certs=("ce_machinery", "iso9001"), ships=("all_except", SANCTIONED)),
        P("Rotary gear pump, {v}", "machinery/industrial-machinery", "841360", "piece", 420.00, 12.0, 1, 1, 21,
          ("EXW", "FCA"), (("hydraulic oil, 16 cm³/rev", 1.0), ("stainless, food grade, 10 m³/h", 2.3),
                           ("fuel oil, 4 m³/h", 1.2)),
          "External gear pumps with hardened gears and plain bearings, low pulsation.",
          certs=("ce_machinery",), ships=("all_except", SANCTIONED)),
        P("Submersible drainage pump, {v}", "machinery/industrial-machinery", "841370", "piece", 310.00, 16.0, 1, 1,
          14, ("EXW", "FCA", "DAP"), (("0.75 kW, 230 V", 1.0), ("1.5 kW, 400 V, with cutter", 1.6)),
          "Stainless steel motor housing, float switch, 10 m cable.",
          certs=("ce_machinery",), ships=("all_except", SANCTIONED)),
        P("Ball valve, {v}", "machinery/industrial-machinery", "848180", "piece", 65.00, 2.50, 10, 5, 14,
          ("EXW", "FCA"), (("DN 25, PN 40, stainless 1.4408", 1.0), ("DN 50, PN 16, with pneumatic actuator", 4.8),
                           ("DN 80, flanged, ATEX zone 1", 6.5)),
          "Full bore, blow-out-proof stem, ISO 5211 mounting pad, pressure-tested.",
          certs=("atex", "ce"), ships=("all_except", SANCTIONED)),
        P("Hydraulic cylinder, {v}", "machinery/machine-parts", "841221", "piece", 240.00, 15.0, 2, 1, 28,
          ("EXW", "FCA"), (("bore 50 mm, stroke 300 mm", 1.0), ("bore 80 mm, stroke 500 mm, welded", 1.9),
                           ("bore 100 mm, tie-rod, ISO 6020-2", 2.8)),
          "Chrome-plated rods, 250 bar nominal pressure, seals for mineral oil or HFC fluids.",
          certs=("iso9001",), ships=("all_except", SANCTIONED)),
        P("Vertical machining centre, {v}", "machinery/industrial-machinery", "845710", "piece", 148000.00, 7800.0,
          1, 1, 120, ("EXW", "FCA", "DAP"), (("3-axis, 1,020×510 mm table, 12,000 rpm", 1.0),
                                             ("5-axis trunnion, Ø 650 mm table", 2.1)),
          "Cast-iron frame, 30-tool changer, Heidenhain control, installation and operator training included.",
          certs=("ce_machinery", "iso9001"), ships=("all_except", SANCTIONED)),
        P("Spindle cartridge, {v}", "machinery/machine-parts", "846693", "piece", 2900.00, 35.0, 1, 1, 35,
          ("EXW", "FCA"), (("SK40 / BT40, 12,000 rpm", 1.0), ("HSK-A63, 18,000 rpm", 1.45)),
          "Replacement spindle with hybrid ceramic bearings, balanced to G1, exchange service available.",
          certs=("iso9001",), ships=("all_except", SANCTIONED)),
        P("Deep-groove ball bearing, {v}", "machinery/machine-parts", "848210", "piece", 4.20, 0.13, 100, 50, 10,
          ("EXW", "FCA"), (("6205-2RS, C3", 1.0), ("6308-ZZ", 2.4), ("6012-2RS", 2.0)),
          "Chrome steel, sealed and greased for life, in single boxes.",
          ships=("all_except", SANCTIONED)),
    ),
    # Bavaria Packaging Systems GmbH, Augsburg (DE)
    "HRB 221907": (
        P("Vertical form-fill-seal machine, {v}", "machinery/packaging-machinery", "842240", "piece", 68000.00,
          1500.0, 1, 1, 90, ("EXW", "FCA", "DAP"), (("for snacks, 60 bags/min, multihead weigher", 1.0),
                                                    ("for powders, with auger filler", 0.85),
                                                    ("for frozen food, 120 bags/min", 1.35)),
          "Servo-driven film transport, pillow and gusset bags, touch-screen HMI, remote service.",
          certs=("ce_machinery",), ships=("all_except", SANCTIONED)),
        P("Stretch wrapping machine, {v}", "machinery/packaging-machinery", "842240", "piece", 9800.00, 650.0, 1, 1,
          45, ("EXW", "FCA", "DAP"), (("turntable Ø 1,650 mm, semi-automatic", 1.0),
                                      ("rotary arm, fully automatic", 3.4)),
          "Powered pre-stretch to 300%, programmable wrapping cycles, pallet height sensor.",
          certs=("ce_machinery",), ships=("all_except", SANCTIONED)),
        P("Carton sealer, {v}", "machinery/packaging-machinery", "842230", "piece", 3200.00, 180.0, 1, 1, 30,
          ("EXW", "FCA"), (("side-belt drive, 48 mm tape", 1.0), ("random size, automatic", 2.5)),
          "Top and bottom taping heads, adjusts to the box size, emergency stops on both sides.",
          certs=("ce_machinery",), ships=("all_except", SANCTIONED)),
        P("Corrugated shipping box, {v}", "packaging", "481910", "piece", 0.62, 0.25, 500, 250, 10,
          ("EXW", "FCA", "DAP"), (("single wall, 300×200×150 mm", 1.0), ("double wall, 400×300×300 mm", 2.0),
                                  ("double wall, 600×400×400 mm, FEFCO 0201", 2.9)),
          "Brown kraft liner, printed in up to two colours, delivered flat on pallets.",
          certs=("fsc",)),
        P("Stretch film, {v}", "packaging", "392010", "piece", 4.50, 1.60, 96, 6, 7,
          ("EXW", "FCA"), (("hand roll, 500 mm × 23 µm, 1.5 kg", 1.0), ("machine roll, 500 mm × 17 µm, 16 kg", 8.5)),
          "Cast LLDPE, high puncture resistance, 30% recycled content."),
        P("Kraft paper tape, {v}", "packaging", "481149", "piece", 1.20, 0.30, 360, 36, 10,
          ("EXW", "FCA"), (("50 mm × 50 m, fibre-reinforced", 1.0), ("72 mm × 50 m, printed with your logo", 1.7)),
          "Water-activated gummed paper tape, plastic-free, recyclable with the carton.",
          certs=("fsc",)),
    ),
    # Nairobi Highland Coffee Ltd, Ruiru (KE)
    "PVT-2019-88341": (
        P("Kenya {v} green coffee beans", "food-agriculture/coffee-tea", "090111", "kg", 7.40, 1.0, 60, 60, 21,
          ("FOB", "FCA", "CIF"), (("AA, Nyeri, washed, SL28/SL34", 1.0), ("AA, Kirinyaga, washed", 1.0),
                                  ("AB, Kiambu, washed", 0.85), ("PB peaberry, Murang'a", 0.95),
                                  ("AA, Embu, natural process", 1.1), ("C grade, Meru", 0.7),
                                  ("AB, Ruiru 11 and Batian, Kiambu", 0.8), ("AA Top, Nyeri, micro-lot", 1.6)),
          "Fully traceable to the factory, cupped before every shipment, in 60 kg jute bags with GrainPro "
          "liners. Pre-shipment samples on request.",
          certs=("fairtrade", "rainforest")),
        P("Kenya roasted coffee, {v}", "food-agriculture/coffee-tea", "090121", "piece", 19.00, 1.0, 50, 10, 10,
          ("FOB", "FCA"), (("AA, medium roast, whole bean, 1 kg valve bag", 1.0),
                           ("AA, espresso roast, whole bean, 1 kg", 1.0),
                           ("AB, filter roast, ground, 250 g retail bag", 0.3)),
          "Roasted to order in Ruiru and shipped within a week of roasting.",
          certs=("fairtrade", "kebs")),
        P("Kenya black tea, {v}", "food-agriculture/coffee-tea", "090240", "kg", 2.90, 1.0, 500, 50, 14,
          ("FOB", "FCA", "CIF"), (("BP1, CTC, Kericho", 1.0), ("PF1, CTC, Nandi Hills", 1.05),
                                  ("PD, CTC, Limuru", 0.9), ("orthodox FOP, Kericho", 1.9), ("orthodox OP1", 2.2)),
          "Bought at the Mombasa auction from named estates, packed in 50 kg multi-wall paper sacks.",
          certs=("rainforest", "kebs")),
        P("Kenya specialty tea, {v}", "food-agriculture/coffee-tea", "090220", "kg", 11.00, 1.0, 20, 5, 14,
          ("FOB", "FCA"), (("green, sencha style, Kericho", 1.0), ("purple leaf, Nandi Hills", 1.6)),
          "Small-batch teas from smallholders at 2,000 m, in 5 kg foil bags.",
          certs=("rainforest",)),
        P("Kenya tea bags, {v}", "food-agriculture/coffee-tea", "090230", "box", 1.80, 0.25, 500, 50, 21,
          ("FOB", "FCA"), (("100 × 2 g, string and tag", 1.0), ("25 × 2 g, enveloped, purple tea", 1.3)),
          "Private label welcome; cartons of 24 boxes.",
          certs=("kebs",)),
        P("Macadamia nuts, {v}", "food-agriculture/dried-fruit-nuts", "080262", "kg", 11.00, 1.0, 500, 10, 21,
          ("FOB", "CIF"), (("style 1 wholes, kernels", 1.0), ("style 4L halves, kernels", 0.8),
                           ("style 0 premium wholes, kernels", 1.2), ("nut-in-shell, 22 mm+", 0.35, "080261")),
          "Cracked and graded in Thika, vacuum-packed in 11.34 kg bags, two bags a carton.",
          certs=("kebs",)),
        P("Hass avocados, {v}", "food-agriculture/fresh-produce", "080440", "carton", 9.80, 4.30, 200, 20, 7,
          ("FCA", "CIF"), (("count 16–18, 4 kg carton", 1.0), ("count 20–22, 4 kg carton", 0.9)),
          "Sea-freight quality, shipped at 5–6 °C in reefer containers.",
          certs=("globalgap",), ships=("only", FRESH_MARKETS)),
    ),
    # Naivasha Bloom Exporters Ltd (KE)
    "PVT-2016-44120": (
        P("Cut roses, {v}", "food-agriculture/fresh-produce", "060311", "piece", 0.22, 0.03, 1000, 200, 3,
          ("FCA", "CPT", "CIP"), (("Red Naomi, 60 cm", 1.0), ("Athena, white, 50 cm", 0.85),
                                  ("Upper Secret, pink, 60 cm", 1.0), ("Kahala, peach, 50 cm", 0.9),
                                  ("Pink Floyd, 70 cm", 1.25), ("Wild Spirit, white, 60 cm", 1.1),
                                  ("Nairobi Sun, yellow, 40 cm", 0.7), ("spray roses, Bombastic, 40 cm", 1.3)),
          "Cut at the right stage in the morning, pre-cooled and flown from Nairobi within 48 hours. "
          "Boxes of 200 stems.",
          certs=("fairtrade", "mps", "globalgap"), ships=("only", FRESH_MARKETS)),
        P("Carnations, {v}", "food-agriculture/fresh-produce", "060312", "piece", 0.14, 0.02, 1000, 200, 3,
          ("FCA", "CPT"), (("standard, Moonlight, white, 65 cm", 1.0), ("standard, Don Pedro, red, 65 cm", 1.0),
                           ("spray, mixed colours, 60 cm", 1.15)),
          "Long vase life, packed in bunches of 20 stems.",
          certs=("mps",), ships=("only", FRESH_MARKETS)),
        P("Chrysanthemums, {v}", "food-agriculture/fresh-produce", "060314", "piece", 0.16, 0.03, 1000, 200, 3,
          ("FCA", "CPT"), (("Santini, mixed colours", 1.0), ("disbud, Anastasia, green", 1.6)),
          "Grown at 1,900 m on the shores of Lake Naivasha.",
          certs=("mps",), ships=("only", FRESH_MARKETS)),
        P("Summer flowers, {v}", "food-agriculture/fresh-produce", "060319", "piece", 0.20, 0.03, 1000, 200, 3,
          ("FCA", "CPT"), (("Alstroemeria, mixed, 70 cm", 1.0), ("Gypsophila Xlence, 80 cm", 1.2),
                           ("Hypericum, red berries, 60 cm", 1.1), ("Eryngium, blue, 60 cm", 1.4)),
          "Filler and focal flowers for bouquet makers, bunched to order.",
          certs=("globalgap",), ships=("only", FRESH_MARKETS)),
        P("Kenyan green beans, {v}", "food-agriculture/fresh-produce", "070820", "carton", 8.90, 4.20, 100, 20, 4,
          ("FCA", "CPT"), (("fine, 4 kg carton", 1.0), ("extra fine, 3 kg carton", 1.05)),
          "Hand-picked and topped, air-freighted chilled, 10 days shelf life.",
          certs=("globalgap",), ships=("only", FRESH_MARKETS)),
    ),
    # São Paulo Couro Ltda., Franca (BR)
    "12345678000195": (
        P("Men's leather Oxford shoes, {v}", "textiles/leather", "640399", "pair", 34.00, 1.10, 120, 12, 45,
          ("FOB", "EXW"), (("black calfskin, Goodyear welted", 1.0), ("brown, Blake stitched", 0.85),
                           ("burgundy, rubber sole", 0.8), ("tan suede", 0.8)),
          "Made in Franca, full-grain uppers, leather lining, size run 39–46 in each carton of 12 pairs.",
          dims=(32, 21, 12), certs=("lwg",)),
        P("Men's leather Chelsea boots, {v}", "textiles/leather", "640391", "pair", 42.00, 1.40, 60, 12, 45,
          ("FOB", "EXW"), (("dark brown", 1.0), ("black", 1.0), ("suede, sand", 0.95)),
          "Elastic side panels, pull tab, stitched rubber sole.",
          dims=(33, 22, 13), certs=("lwg",)),
        P("Women's leather loafers, {v}", "textiles/leather", "640399", "pair", 29.00, 0.80, 60, 12, 40,
          ("FOB", "EXW"), (("black", 1.0), ("nude", 1.0), ("croco-embossed, cognac", 1.15)),
          "Soft nappa, padded insole, sizes 34–41.",
          dims=(30, 19, 11), certs=("lwg",)),
        P("Women's leather ankle boots, {v}", "textiles/leather", "640391", "pair", 45.00, 1.20, 60, 12, 45,
          ("FOB", "EXW"), (("block heel, black", 1.0), ("western style, cognac", 1.1)),
          "Inside zip, leather lining, rubber heel tips.",
          dims=(33, 22, 13), certs=("lwg",)),
        P("Leather sneakers, {v}", "textiles/leather", "640399", "pair", 27.00, 1.00, 120, 12, 40,
          ("FOB", "EXW"), (("white, unisex", 1.0), ("white and forest green", 1.05)),
          "Cup sole stitched to the upper, removable cork footbed.",
          dims=(33, 22, 12), certs=("lwg",)),
        P("Leather belt, {v}", "textiles/leather", "420330", "piece", 6.80, 0.20, 100, 20, 30,
          ("FOB", "EXW"), (("35 mm, full grain, black", 1.0), ("35 mm, full grain, brown", 1.0),
                           ("30 mm, reversible", 1.2), ("40 mm, work belt", 1.3)),
          "One-piece full-grain leather, solid brass or nickel-free buckles.",
          certs=("lwg",)),
        P("Leather handbag, {v}", "textiles/leather", "420221", "piece", 38.00, 0.90, 30, 10, 45,
          ("FOB", "EXW"), (("tote, 38 cm, cognac", 1.0), ("crossbody, black", 0.7), ("shopper, vegetable-tanned", 1.2)),
          "Hand-finished edges, cotton lining, dust bag included.",
          dims=(40, 30, 15), certs=("lwg",)),
        P("Leather wallet, {v}", "textiles/leather", "420231", "piece", 7.50, 0.10, 100, 20, 30,
          ("FOB", "EXW"), (("bifold, 8 cards", 1.0), ("card holder", 0.55), ("zip-around, women's", 1.6)),
          "Full-grain cowhide, RFID-blocking lining, gift box.",
          certs=("lwg",)),
        P("Finished bovine leather, {v}", "textiles/leather", "410791", "m2", 18.00, 0.70, 500, 50, 30,
          ("FOB", "CFR"), (("full grain, 1.2–1.4 mm, black, for footwear", 1.0),
                           ("nubuck, 1.4–1.6 mm, sand", 1.1, "410792"),
                           ("vegetable-tanned crust, 2.0 mm", 1.15)),
          "Chrome-free or chrome-tanned sides from Brazilian hides, measured electronically.",
          certs=("lwg",)),
    ),
    # Cerrado Café Exportadora Ltda., Patrocínio (BR)
    "23456789000195": (
        P("Brazilian green coffee, {v}", "food-agriculture/coffee-tea", "090111", "kg", 5.90, 1.0, 60, 60, 21,
          ("FOB", "FCA", "CIF"), (("Cerrado Mineiro, natural, NY 2/3, screen 17/18", 1.0),
                                  ("Sul de Minas, pulped natural, screen 16/17", 0.95),
                                  ("Mogiana, natural, fine cup", 0.92), ("Cerrado, NY 4, for decaf", 0.8),
                                  ("Sul de Minas, yellow bourbon micro-lot", 1.5),
                                  ("Chapada Diamantina, specialty 86+", 1.7),
                                  ("Espírito Santo conilon, screen 14", 0.65)),
          "Single-estate lots, 60 kg jute bags, loaded at Santos. Type samples on request.",
          certs=("rainforest", "minas")),
        P("Brazilian roasted coffee, {v}", "food-agriculture/coffee-tea", "090121", "piece", 13.00, 1.0, 50, 10, 10,
          ("FOB", "FCA"), (("1 kg whole bean, medium roast", 1.0), ("500 g ground, dark roast", 0.55),
                           ("250 g, specialty, light roast", 0.45)),
          "Roasted in Patrocínio, nitrogen-flushed valve bags.",
          certs=("minas",)),
        P("Decaffeinated green coffee, {v}", "food-agriculture/coffee-tea", "090112", "kg", 8.10, 1.0, 60, 60, 30,
          ("FOB", "CIF"), (("Swiss Water process, Cerrado", 1.0),),
          "Chemical-free decaffeination, 99.9% caffeine-free.",
          certs=("rainforest",)),
    ),
    # Espírito Santo Granitos Ltda., Cachoeiro de Itapemirim (BR)
    "34567890000130": (
        P("Granite slab, {v}", "construction/stone-marble", "680293", "m2", 38.00, 54.0, 100, 10, 35,
          ("FOB", "CFR", "CIF"), (("Branco Itaúnas, 2 cm, polished", 1.0), ("Verde Ubatuba, 2 cm, polished", 0.8),
                                  ("Preto São Gabriel, 3 cm, polished", 1.2), ("Amarelo Ornamental, 2 cm, flamed", 0.7),
                                  ("Giallo Veneziano, 3 cm, polished", 1.0), ("Santa Cecília, 2 cm, polished", 0.9),
                                  ("Azul Bahia, 2 cm, polished", 4.0), ("Marrom Guaíba, 3 cm, leathered", 0.95)),
          "Resin-treated slabs, about 3.00 × 1.90 m, bundled on fumigated wooden A-frames, six to seven bundles "
          "to a 20' container.",
          ships=("only", STONE_MARKETS)),
        P("Quartzite slab, {v}", "construction/stone-marble", "680299", "m2", 85.00, 54.0, 50, 10, 40,
          ("FOB", "CFR"), (("Taj Mahal, 2 cm, polished", 1.0), ("Mont Blanc, 2 cm, honed", 1.15),
                           ("Perla Venata, 3 cm, polished", 1.3)),
          "Hard, low-porosity quartzite from Minas Gerais and Bahia, book-matched bundles on request.",
          ships=("only", STONE_MARKETS)),
        P("Granite kitchen countertop, {v}", "construction/stone-marble", "680293", "piece", 260.00, 150.0, 10, 1, 30,
          ("FOB", "CIF"), (("Preto São Gabriel, 300×62×3 cm", 1.0), ("Branco Ceará, 260×62×2 cm, sink cut-out", 0.9)),
          "Cut to size, eased edges, crated individually.",
          ships=("only", STONE_MARKETS)),
        P("Granite paving setts, {v}", "construction/stone-marble", "680100", "m2", 31.00, 210.0, 100, 10, 30,
          ("FOB", "CFR"), (("grey, 10×10×8 cm, split", 1.0), ("yellow, 20×10×6 cm, flamed", 1.2)),
          "Frost-resistant granite for streets and driveways, in 1 t big bags.",
          ships=("only", STONE_MARKETS)),
    ),
    # İzmir Dried Fruits Ltd. Şti. (TR): still waiting for verification, so its listings stay drafts.
    "TR-5520114": (
        P("Dried figs, {v}", "food-agriculture/dried-fruit-nuts", "080420", "kg", 5.60, 1.0, 1000, 10, 21,
          ("FOB", "EXW"), (("natural, size 3, Lerida", 1.0), ("Protoben, size 5", 0.9), ("organic, on garland", 1.3)),
          "Sun-dried Sarılop figs from the Aydın valley, aflatoxin-tested, 10 kg cartons."),
        P("Dried apricots, {v}", "food-agriculture/dried-fruit-nuts", "081310", "kg", 6.20, 1.0, 1000, 10, 21,
          ("FOB", "EXW"), (("Malatya, sulphured, size 4", 1.0), ("sun-dried, unsulphured", 0.85)),
          "Whole pitted apricots, 5 kg cartons, four to a master carton."),
        P("Hazelnut kernels, {v}", "food-agriculture/dried-fruit-nuts", "080222", "kg", 7.80, 1.0, 1000, 25, 21,
          ("FOB", "EXW"), (("natural, 11–13 mm", 1.0),),
          "Giresun quality, 25 kg vacuum bags."),
    ),
}

# Listings written in the seller's own language for buyers at home, beside its English ones: always
# published once the seller may publish (never drawn for the review queue or the drafts).
LOCAL_CATALOGUE: dict[str, tuple[Product, ...]] = {
    # Anatolia Textiles A.Ş., Bursa (TR)
    "TR-3481920": (
        P("Pamuklu havlu, {v}", "textiles/home-textiles", "630260", "piece", 3.90, 0.45, 200, 50, 21,
          ("EXW", "FOB"), (("50×90 cm, beyaz", 1.0), ("70×140 cm, antrasit", 1.9)),
          "Penye pamuk ipliğinden havlu kumaş, çift dikişli kenarlar ve askı halkası. 60 °C'de yıkanabilir; "
          "onlu paketlerde, ihracat kolilerinde.",
          dims=(35, 25, 4), certs=("oekotex",)),
        P("İpek eşarp, {v}", "textiles/garments", "621410", "piece", 9.50, 0.08, 50, 10, 25,
          ("EXW", "FOB"), (("90×90 cm, lale desenli", 1.0), ("70×180 cm, düz lacivert", 1.2)),
          "Bursa ipeğinden, el yapımı rulo kenar. Her eşarp hediye kutusunda.",
          dims=(25, 25, 3)),
        P("Yün kazak, {v}", "textiles/garments", "611011", "piece", 16.00, 0.45, 50, 10, 30,
          ("EXW", "FOB"), (("erkek, M–XL, lacivert", 1.0), ("kadın, S–L, ekru", 1.0)),
          "Merinos yünü, örgü yaka ve manşetler. Kendi markanızla etiketlenebilir.",
          dims=(35, 30, 6)),
    ),
    # Shenzhen Bright Circuits Co., Ltd. (CN)
    "91440300MA5F00001A": (
        P("LED 筒灯, {v}", "electronics/lighting", "940511", "piece", 2.20, 0.25, 100, 50, 15,
          ("FOB", "EXW"), (("9 瓦, 4000 K", 1.0), ("15 瓦, 3000 K", 1.3)),
          "铝制外壳，无频闪驱动，五年质保。每箱五十只。",
          certs=("ce", "rohs")),
    ),
    # Ningbo Homeware Trading Co., Ltd. (CN)
    "91330201MA2H00002E": (
        P("不锈钢保温杯, {v}", "home-goods/kitchenware", "961700", "piece", 2.80, 0.35, 200, 50, 25,
          ("FOB", "EXW"), (("500 毫升, 黑色", 1.0), ("750 毫升, 白色", 1.25)),
          "304 不锈钢内胆，双层真空，保温十二小时。每箱二十四只。",
          certs=("lfgb",)),
        P("竹制砧板, {v}", "home-goods/kitchenware", "441911", "piece", 2.40, 1.0, 100, 25, 30,
          ("FOB", "EXW"), (("大号 45×30 厘米", 1.0), ("中号 38×25 厘米", 0.8)),
          "毛竹制成，食品级矿物油涂层，收缩膜包装。",
          certs=("fsc",)),
    ),
}

LOCAL_LANGUAGES = {"TR-3481920": "tr", "91440300MA5F00001A": "zh-hans", "91330201MA2H00002E": "zh-hans"}

PENDING_REVIEW_COUNT = 10
DRAFT_COUNT = 5
DEMO_SEED = 2026


def _money(value: float) -> Decimal:
    step = Decimal("1") if value >= 1000 else Decimal("0.50") if value >= 20 else Decimal("0.05") \
        if value >= 1 else Decimal("0.01")
    amount = (Decimal(str(value)) / step).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * step
    return max(amount, Decimal("0.01")).quantize(Decimal("0.01"))


def _round_up(quantity: float, multiple: int) -> int:
    return int(math.ceil(quantity / multiple) * multiple)


def _price_tiers(rng: random.Random, product: Product, unit_price: float) -> list[dict[str, Any]]:
    count = rng.choice((2, 3, 3, 4)) if product.moq < 1000 or product.unit != "piece" else rng.choice((2, 3))
    if product.price_eur >= 10000:
        count = rng.choice((1, 2))
    steps = ((1, 1.0), (5, 0.94), (20, 0.88), (100, 0.83))[:count]
    tiers, last = [], None
    for times, discount in steps:
        quantity = product.moq if times == 1 else _round_up(product.moq * times, product.multiple)
        price = _money(unit_price * discount * rng.uniform(0.99, 1.01))
        if last is not None:
            price = min(price, last)
        tiers.append({"min_quantity": quantity, "unit_price": str(price)})
        last = price
    return tiers


def _certificates(rng: random.Random, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = []
    for key in keys:
        name, issuer, prefix, valid_until = CERTIFICATES[key]
        rows.append({"name": name, "issuer": issuer, "number": f"{prefix}{rng.randrange(10000, 99999)}",
                     "valid_until": valid_until})
    return rows


# The description's facts in each language of the demo listings.
DESCRIPTION_LINES = {
    "en": ("- Variant: {variant}\n- Minimum order: {moq:,} ({unit}), then in steps of {multiple:,}\n"
           "- Lead time: about {lead} days after order confirmation\n- Prices in {currency}, {incoterms}"),
    "tr": ("- Çeşit: {variant}\n- En az sipariş: {moq:,} ({unit}), sonra {multiple:,} adet artışla\n"
           "- Teslim süresi: sipariş onayından sonra yaklaşık {lead} gün\n- Fiyatlar {currency}, {incoterms}"),
    "zh-hans": ("- 规格：{variant}\n- 起订量：{moq:,}（{unit}），之后按 {multiple:,} 的倍数\n"
           "- 交货期：确认订单后约 {lead} 天\n- 价格以 {currency} 计，{incoterms}"),
}


def _description(product: Product, variant: str, currency: str, language: str = "en") -> str:
    lines = DESCRIPTION_LINES[language].format(
        variant=variant, moq=product.moq, unit=product.unit, multiple=product.multiple, lead=product.lead,
        currency=currency, incoterms=" / ".join(product.incoterms))
    return f"{product.blurb}\n\n{lines}"


def demo_listings(currencies: dict[str, str]) -> list[DemoListing]:
    """Every demo listing, in a fixed order with fixed values. `currencies` maps a seller's
    registration number to its currency; sellers missing from it are left out."""
    listings = []
    for seller_key, products, sampled in [*((key, products, True) for key, products in CATALOGUE.items()),
                                          *((key, products, False) for key, products in LOCAL_CATALOGUE.items())]:
        if seller_key not in currencies:
            continue
        currency = currencies[seller_key]
        rng = random.Random(f"{DEMO_SEED}:{seller_key}" if sampled else f"{DEMO_SEED}:{seller_key}:local")
        rate = RATES.get(currency, 1.0)
        for product in products:
            for variant in product.variants:
                text, factor = variant[0], variant[1]
                hs_code = variant[2] if len(variant) > 2 else product.hs_code
                weight = Decimal(str(product.weight_kg * (factor if product.unit in ("piece", "set", "pair", "box")
                                                           and product.weight_kg < 100 else 1)))
                data: dict[str, Any] = {
                    "title": product.title.format(v=text),
                    "description": _description(product, text, currency,
                                                "en" if sampled else LOCAL_LANGUAGES[seller_key]),
                    "category": product.category,
                    "unit": product.unit,
                    "stock": _round_up(product.moq * rng.randint(8, 120), product.multiple),
                    "moq": product.moq,
                    "order_multiple": product.multiple,
                    "lead_time_days": product.lead,
                    "hs_code": hs_code,
                    "incoterms": list(product.incoterms),
                    "weight_kg": str(max(weight.quantize(Decimal("0.001")), Decimal("0.001"))),
                    "ships_to_mode": product.ships[0],
                    "ships_to_countries": list(product.ships[1]),
                    "price_tiers": _price_tiers(rng, product, product.price_eur * factor * rate),
                    "certificates": _certificates(rng, product.certs),
                }
                if product.dims:
                    data["length_cm"], data["width_cm"], data["height_cm"] = (str(d) for d in product.dims)
                listings.append(DemoListing(seller_key=seller_key, data=data, sampled=sampled))
    return listings


def _choose_targets(listings: list[DemoListing], publishable: set[str]) -> None:
    candidates = [i for i, item in enumerate(listings) if item.seller_key in publishable and item.sampled]
    chosen = random.Random(DEMO_SEED).sample(candidates, min(len(candidates), PENDING_REVIEW_COUNT + DRAFT_COUNT))
    for position, index in enumerate(chosen):
        listings[index].target = ListingStatus.PENDING_REVIEW if position < PENDING_REVIEW_COUNT \
            else ListingStatus.DRAFT
    for item in listings:
        if item.seller_key not in publishable:
            item.target = ListingStatus.DRAFT


def seed_listings(*, moderator: User) -> DemoResult:
    """Creates the demo listings that do not exist yet (same seller and title) and moves each to its
    demo state through the services: submitted by the seller's owner, approved by `moderator`."""
    from django.db.models import Prefetch

    from marketplace.models import Category

    companies = {c.registration_number: c for c in Company.objects.filter(
        registration_number__in=list(CATALOGUE)).prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.filter(role=MembershipRole.OWNER).select_related("user")
                 .order_by("created_at", "pk"), to_attr="owner_memberships"))}
    companies = {key: c for key, c in companies.items() if c.sells and c.owner_memberships}
    listings = demo_listings({key: c.default_currency for key, c in companies.items()})
    _choose_targets(listings, {key for key, c in companies.items() if c.can_publish_listings})
    categories = dict(Category.objects.values_list("path", "pk"))
    existing = set(Listing.objects.filter(seller__in=companies.values()).values_list("seller_id", "title"))

    result = DemoResult()
    for item in listings:
        company = companies[item.seller_key]
        if (company.pk, item.data["title"]) in existing:
            result.skipped += 1
            continue
        owner = company.owner_memberships[0].user
        data = {**item.data, "category": categories[item.data["category"]], "origin_country": company.country.code}
        listing = services.listing_create(seller=company, actor=owner, data=data)
        if item.target != ListingStatus.DRAFT:
            listing = services.listing_submit(listing=listing, actor=owner)
        if item.target == ListingStatus.PUBLISHED:
            listing = services.listing_approve(listing=listing, actor=moderator,
                                               reason="Checked against the listing rules.")
        existing.add((company.pk, item.data["title"]))
        result.created += 1
        result.by_status[listing.status] = result.by_status.get(listing.status, 0) + 1
    result.published = result.by_status.get(ListingStatus.PUBLISHED, 0)
    result.pending_review = result.by_status.get(ListingStatus.PENDING_REVIEW, 0)
    result.drafts = result.by_status.get(ListingStatus.DRAFT, 0)
    return result
