"""Supply figures for ``scripts/build_datasets.py``: weekly costs, the supply rule's figures and where
Ofsted's homes are inside a county, each with its source.

Written to ``rcc/datasets/data``: ``weekly_costs.csv``, ``supply_figures.csv`` and the ``district_id`` column
of ``ofsted_providers.csv``. Published figures name their publication; figures nothing publishes are
labelled "rcc default" (an editable order of magnitude) or "rcc rule" (how rcc builds something the
sources do not give), so a reader can tell them apart.
"""

from __future__ import annotations

import pandas as pd

NCERCC = "NCERCC (National Centre for Excellence in Residential Child Care), children's homes cost survey 2020"
CMA = "CMA, Children's social care market study, 2021-2022"
LGA = "LGA (Local Government Association), 2023"
DFE = "DfE, Children looked after in England including adoptions, 2025 (national placement counts)"
DESIGN = "rcc default: order of magnitude (in-house fostering ~GBP 400-650, IFA ~800-1,000), no published figure in the sources"
TAIL_PLACEMENTS = 1_510  #: LGA 2023: placements costing GBP 10,000 or more a week
OFSTED_2025 = "Ofsted, Children's social care in England 2025 (accredited official statistics, 16 July 2025), 31 March 2025"
CHILDRENS_HOME_PLACES_2025 = 14_259  #: Ofsted 2025: registered places in children's homes
#: DfE 2025 national placement counts the tail share is taken of (children's homes and other residential).
RESIDENTIAL_COLUMNS = ("secure_and_childrens_homes", "residential_schools", "other_residential_settings")


def weekly_costs(national_placements: dict[str, int]) -> pd.DataFrame:
    """weekly_costs.csv: one row per ``"{home_type}_{sector}"`` or ``home_type``: the body's mean
    (``central_gbp``), its coefficient of variation (``spread``), the high-cost tail and the source.

    ``national_placements``: DfE's national counts by cla_2025.csv column (the tail's denominator)."""
    residential = sum(int(national_placements[k]) for k in RESIDENTIAL_COLUMNS)
    tail = round(TAIL_PLACEMENTS / residential, 4)
    tail_source = (
        f"tail: {LGA}, {TAIL_PLACEMENTS:,} placements at GBP 10,000+ a week, of DfE 2025's {residential:,} children "
        f"in secure and children's homes, residential schools and other residential settings ({100 * tail:.1f}%); "
        "the tail's shape (Pareto, alpha 3, up to 5 times its start) and the body's spread are rcc assumptions"
    )
    rows = [
        ("kinship", 350, 0.2, 0.0, DESIGN),
        ("in_house_fostering", 550, 0.2, 0.0, DESIGN),
        ("ifa_fostering", 950, 0.2, 0.0, DESIGN),
        (
            "childrens_home_council",
            4_750,
            0.25,
            tail,
            f"{NCERCC}: local authority homes GBP 4,750 a week; {tail_source}",
        ),
        (
            "childrens_home_private",
            3_970,
            0.25,
            tail,
            f"{NCERCC}: private homes GBP 3,970 a week (beside it, {CMA}: private GBP 3,830); {tail_source}",
        ),
        (
            "childrens_home_voluntary",
            3_970,
            0.25,
            tail,
            f"no published figure for voluntary homes: as private (rcc assumption); {tail_source}",
        ),
        ("residential_school", 6_500, 0.25, tail, f"rcc default (no published figure in the sources); {tail_source}"),
        ("secure_home", 9_000, 0.15, 0.0, "rcc default: secure far above children's homes (no published figure)"),
        ("supported_accommodation", 1_500, 0.3, 0.0, "rcc default (no published figure in the sources)"),
    ]
    out = pd.DataFrame(rows, columns=["key", "central_gbp", "spread", "tail_share", "source"])
    out.insert(4, "tail_from_gbp", 10_000)
    out.insert(5, "tail_alpha", 3.0)
    return out


def supply_figures() -> pd.DataFrame:
    """supply_figures.csv: every other figure the embedded supply is built from, with its source."""
    rows = [
        (
            "kinship_share_of_foster",
            round(16 / 69, 6),
            "share",
            "FOI survey of 150 councils, Sept 2024: kinship 16%, in-house fostering 28%, IFA 25% of children "
            "looked after (shares of the 69% fostered)",
        ),
        (
            "ifa_share_of_foster",
            round(25 / 69, 6),
            "share",
            "FOI survey of 150 councils, Sept 2024 (as above); each council's share scaled by its published "
            "private and voluntary provider share (DfE 2025)",
        ),
        (
            "kinship_inside_share",
            0.708,
            "share",
            "DfE, Children looked after: a focus on placement location (data set 'Placement type for CLA "
            "outside LA boundary'), 31 March 2015, England: foster placements with a relative or friend 5,610"
            " inside the council, 2,310 outside",
        ),
        (
            "placed_with_parents_inside_share",
            0.843,
            "share",
            "DfE, Children looked after: a focus on placement location (as above), 31 March 2015, England: "
            "placed with parents or other person with parental responsibility 3,010 inside, 560 outside",
        ),
        (
            "in_house_inside_share",
            0.611,
            "share",
            "DfE, Children looked after: a focus on placement location (as above), 31 March 2015, England: "
            "foster placements with other foster carers (in-house and agency; no split published) 26,680 "
            "inside, 16,970 outside; applied to in-house carers",
        ),
        (
            "carer_inside_share",
            "per council",
            "share",
            "rcc rule: a calibrated share of a council's kinship and in-house carers are its residents "
            "whatever its size (carer_local_share, simulation_calibration.json: one per region); the others "
            "live a typical distance from the children they foster (exponential, its mean solved per kind so "
            "that England's share inside equals the published share of that kind above); a council's share "
            "inside is the chance such a distance stays inside a disc of its area, so small councils keep "
            "fewer carers inside than large ones; an island's carers all live on it (Isle of Wight, Isles of "
            "Scilly: no land around it). Never the council's own published inside share (a target)",
        ),
        (
            "kinship_range_miles",
            20.0,
            "miles",
            "rcc rule from DfE, Children looked after: a focus on placement location (data set 'Types of placement "
            "for CLA by distance locality'), 31 March 2015, England: of children in foster placements with a "
            "relative or friend outside their council, 870 of 2,250 (39%) more than 20 miles from home; the "
            "distance decay of where a council's kinship carers beyond its boundary live is the one of 10, 15 and "
            "20 miles whose simulated share comes nearest (about 39% at 20 miles, 30% at 15, 22% at 10)",
        ),
        (
            "in_house_range_miles",
            10.0,
            "miles",
            "rcc default: distance decay of where a council's in-house foster carers beyond its boundary live (no "
            "published figure for them alone); of 5, 7.5, 10, 12.5, 15 and 20 miles, the one with the smallest "
            "calibration loss, with the kinship decay at 20 miles (simulation_calibration.json)",
        ),
        (
            "kinship_locality_miles",
            6.0,
            "miles",
            "rcc rule from DfE, Children looked after: a focus on placement location (data set 'Types of placement "
            "for CLA by distance locality'), 31 March 2015, England: of children in foster placements with a "
            "relative or friend inside their council, 90 of 5,580 (1.6%) more than 20 miles from home; inside "
            "a council relatives live nearest first by this scale (other places by 20 miles, LOCALITY_MILES): of 5, "
            "6, 7, 8 and 10 miles the one whose simulated share comes nearest (1.0% at 5, 1.7% at 6, 2.4% at 7, "
            "3.1% at 8, 4.4% at 10; 8.0% at 20). Measures the distance only: where the children live is unchanged",
        ),
        (
            "carer_neighbours",
            4,
            "councils",
            "rcc default: councils a council's carers outside it are spread over",
        ),
        (
            "vacancy",
            0.08,
            "share",
            "rcc default: spare places on top of children placed (fostering, supported accommodation)",
        ),
        (
            "uasc_under_16_share",
            0.15,
            "share",
            "rcc prior (the 11-15 share of the UASC age profile): UASC under 16 live with foster carers "
            "(supported accommodation is for 16 and 17 year olds)",
        ),
        (
            "supported_accommodation_children",
            "per council",
            "children",
            "DfE 2025 placement counts: independent and semi-independent living / supported accommodation "
            "(places = children x (1 + vacancy))",
        ),
        (
            "voluntary_children",
            "per region",
            "children",
            "DfE 2025 place providers: voluntary/third sector; voluntary IFAs take those not in voluntary "
            "homes (Ofsted 2023 places)",
        ),
        (
            "childrens_services_trusts",
            "E06000039;E06000040;E06000061;E06000062;E08000025;E08000028;E08000032;E09000021;E09000027",
            "councils",
            "Councils whose children's services a trust or council-owned company ran at 31 March 2025 and whose "
            "own provision DfE 2025 counts as voluntary sector (Slough Children First; Achieving for Children: "
            "Windsor and Maidenhead, Kingston upon Thames, Richmond upon Thames; Northamptonshire Children's "
            "Trust: North and West Northamptonshire; Birmingham Children's Trust; Sandwell Children's Trust; "
            "Bradford Children and Families Trust): the signature in DfE 2025's place providers is 32% to 48% "
            "of each council's children voluntary sector, where no other council has more than 18%, and own "
            "provision suppressed or at most 6 children (2,637 of the 5,626 voluntary-sector children). "
            "Sunderland's company (Together for Children: 319 own, 32 voluntary) and Reading's (Brighter Futures "
            "for Children: 55 own, 47 voluntary) do not show it and stay as published. rcc counts all the nine's "
            "voluntary-sector children as the council's own (in-house carers: its children, living near them; at "
            "England's rate elsewhere about 270 of them would be real voluntary placements), so the embedded "
            "voluntary sector is the other 2,989",
        ),
        (
            "ifa_location",
            "per council",
            "children",
            "DfE 2025 LA of placement: other councils' children placed within each council's boundary; a "
            "region's IFA carers are located in proportion (suppressed cells: the region's rate per child)",
        ),
        (
            "childrens_home_places_2025",
            CHILDRENS_HOME_PLACES_2025,
            "places",
            f"{OFSTED_2025}: 14,259 registered places in 3,946 (mainstream) children's homes, short-break-only homes "
            "included (Ofsted's count since 2024; rcc's Ofsted list is 31 March 2023: 11,857 places in 3,050 homes, "
            "as that count has them); 84% of homes privately run (81% in the 2023 list), most 2024-25 registrations "
            "private; the North West 22% of places (22.1% in the 2023 list). 14,259 as first published; Ofsted's revision "
            "of 5 August 2025 added to its Table 6b 16 children's home places omitted before (not in rcc's sources)",
        ),
        (
            "childrens_home_growth",
            "private homes",
            "rule",
            "rcc rule: the places added from 31 March 2023 to 31 March 2025 are private, each 2023 private children's "
            "home's places scaled by one factor (whole places, largest remainders) so children's homes hold the 2025 "
            "total; where the new homes opened is not in rcc's sources, so the 2023 private homes' places are where "
            "they are (Ofsted 2025 has the North West's share of places as in 2023)",
        ),
        ("tail_placements", TAIL_PLACEMENTS, "placements", f"{LGA}: placements costing GBP 10,000 or more a week"),
        ("ncercc_council_home", 4_750, "GBP/week", f"{NCERCC}: local authority children's homes"),
        ("ncercc_private_home", 3_970, "GBP/week", f"{NCERCC}: private children's homes"),
        ("cma_private_home", 3_830, "GBP/week", f"{CMA}: private children's homes (printed beside NCERCC)"),
    ]
    return pd.DataFrame(rows, columns=["figure", "value", "unit", "source"])


#: Best-fit district of each 2010 parliamentary constituency that Ofsted lists for a home in a county
#: council and whose name is not a district's: the district holding most of the constituency (rcc's
#: reading of the ONS boundaries; Ofsted redacts homes' addresses).
CONSTITUENCY_DISTRICT: dict[str, str] = {
    "Huntingdon": "Huntingdonshire",
    "North East Cambridgeshire": "Fenland",
    "North West Cambridgeshire": "Huntingdonshire",
    "South East Cambridgeshire": "East Cambridgeshire",
    "Central Devon": "Mid Devon",
    "Newton Abbot": "Teignbridge",
    "South West Devon": "South Hams",
    "Tiverton and Honiton": "Mid Devon",
    "Torridge and West Devon": "Torridge",
    "Totnes": "South Hams",
    "Bexhill and Battle": "Rother",
    "Brighton, Kemptown": "Lewes",
    "Hastings and Rye": "Hastings",
    "Brentwood and Ongar": "Brentwood",
    "Clacton": "Tendring",
    "Harwich and North Essex": "Tendring",
    "Rayleigh and Wickford": "Rochford",
    "Saffron Walden": "Uttlesford",
    "South Basildon and East Thurrock": "Basildon",
    "Witham": "Braintree",
    "Basildon and Billericay": "Basildon",
    "The Cotswolds": "Cotswold",
    "Aldershot": "Rushmoor",
    "Basingstoke": "Basingstoke and Deane",
    "Meon Valley": "Winchester",
    "New Forest East": "New Forest",
    "New Forest West": "New Forest",
    "North East Hampshire": "Hart",
    "North West Hampshire": "Test Valley",
    "Romsey and Southampton North": "Test Valley",
    "Hemel Hempstead": "Dacorum",
    "Hertford and Stortford": "East Hertfordshire",
    "Hitchin and Harpenden": "North Hertfordshire",
    "North East Hertfordshire": "North Hertfordshire",
    "South West Hertfordshire": "Three Rivers",
    "Chatham and Aylesford": "Tonbridge and Malling",
    "Faversham and Mid Kent": "Swale",
    "Maidstone and The Weald": "Maidstone",
    "North Thanet": "Thanet",
    "South Thanet": "Thanet",
    "Sittingbourne and Sheppey": "Swale",
    "Blackpool North and Cleveleys": "Wyre",
    "Lancaster and Fleetwood": "Lancaster",
    "Morecambe and Lunesdale": "Lancaster",
    "Rossendale and Darwen": "Rossendale",
    "Wyre and Preston North": "Wyre",
    "Bosworth": "Hinckley and Bosworth",
    "Loughborough": "Charnwood",
    "Rutland and Melton": "Melton",
    "South Leicestershire": "Blaby",
    "Boston and Skegness": "Boston",
    "Gainsborough": "West Lindsey",
    "Grantham and Stamford": "South Kesteven",
    "Sleaford and North Hykeham": "North Kesteven",
    "South Holland and The Deepings": "South Holland",
    "Louth and Horncastle": "East Lindsey",
    "Mid Norfolk": "Breckland",
    "North West Norfolk": "King's Lynn and West Norfolk",
    "Norwich North": "Norwich",
    "Norwich South": "Norwich",
    "South West Norfolk": "Breckland",
    "Newark": "Newark and Sherwood",
    "Sherwood": "Newark and Sherwood",
    "Banbury": "Cherwell",
    "Henley": "South Oxfordshire",
    "Oxford East": "Oxford",
    "Oxford West and Abingdon": "Vale of White Horse",
    "Wantage": "Vale of White Horse",
    "Witney": "West Oxfordshire",
    "Burton": "East Staffordshire",
    "Stoke-on-Trent North": "Newcastle-under-Lyme",
    "Stone": "Stafford",
    "Bury St Edmunds": "West Suffolk",
    "South Suffolk": "Babergh",
    "Suffolk Coastal": "East Suffolk",
    "Waveney": "East Suffolk",
    "Central Suffolk and North Ipswich": "Mid Suffolk",
    "East Surrey": "Tandridge",
    "Esher and Walton": "Elmbridge",
    "Reigate": "Reigate and Banstead",
    "Runnymede and Weybridge": "Runnymede",
    "South West Surrey": "Waverley",
    "Kenilworth and Southam": "Warwick",
    "Nuneaton": "Nuneaton and Bedworth",
    "Warwick and Leamington": "Warwick",
    "Arundel and South Downs": "Horsham",
    "Bognor Regis and Littlehampton": "Arun",
    "East Worthing and Shoreham": "Adur",
    "Worthing West": "Worthing",
    "Mid Worcestershire": "Wychavon",
    "West Worcestershire": "Malvern Hills",
}


def provider_districts(council_id: pd.Series, constituency: pd.Series, districts: pd.DataFrame) -> pd.Series:
    """Each provider's district (LTLA code) inside a county council, blank in one-district councils: the
    district named like its constituency, else :data:`CONSTITUENCY_DISTRICT`. Stops on any it cannot place."""
    counts = districts.groupby("council_id").size()
    by_name = {(r.council_id, r.name): r.district_id for r in districts.itertuples()}
    out = []
    for cid, pcon in zip(council_id, constituency.str.strip()):
        if counts[cid] == 1:
            out.append("")
            continue
        name = pcon if (cid, pcon) in by_name else CONSTITUENCY_DISTRICT.get(pcon, "")
        assert (cid, name) in by_name, f"no district of {cid} for constituency {pcon!r}"
        out.append(by_name[(cid, name)])
    return pd.Series(out, index=council_id.index, dtype=str)


ATTRIBUTION = """
## `weekly_costs.csv`
Weekly cost of one placement as a distribution per `key` ("{{home_type}}_{{sector}}" or home_type):
central_gbp (the body's mean, GBP a week), spread (its coefficient of variation; lognormal), tail_share
(share of homes in a high-cost tail, drawn per Ofsted home), tail_from_gbp and tail_alpha (Pareto) and
**source**. Published: NCERCC 2020 children's homes cost survey (local authority GBP 4,750, private
GBP 3,970 a week: council homes about 20% above private ones); CMA children's social care market study
2021-2022 (private GBP 3,830, printed beside it); LGA 2023 (1,510 placements at GBP 10,000 or more a week:
the tail's share, of DfE 2025's children in residential settings). Everything else is an rcc default
and says so. Written by `scripts/supply_sources.py` (from `scripts/build_datasets.py`).

## `supply_figures.csv`
Every other figure the embedded supply is built from (`rcc.datasets.supply`): figure, value, unit and
source. Ofsted's fostering household and place counts are not among the shared sources, so where family
carers live is an **rcc rule** (labelled in the file): DfE's published national shares placed inside the
council by kind (31 March 2015: relatives and friends 70.8%, placed with parents 84.3%, other foster carers
61.1%), spread over councils by their area (`carer_inside_share`: carers live a typical distance from the
children; a calibrated share are the council's residents whatever its size; an island's all live on it). Those
beyond its boundary live near its children (the district geometry draws them nearest first), spread over its
nearest councils with a distance decay per kind: relatives and friends 20 miles, the decay that meets DfE's share
of them placed outside the council more than 20 miles from home (870 of 2,250, 31 March 2015, data set 'Types of
placement for CLA by distance locality'), in-house carers 10 miles (an rcc default, the smallest calibration
loss). No council's own published inside share is an input: it is a target.
A children's services trust's own provision, which DfE counts as voluntary sector, is its council's
(`childrens_services_trusts`: in-house carers, not agency ones; the voluntary sector is the rest).
Children's homes are Ofsted's list of 31 March 2023 (11,857 places) grown to Ofsted's count at 31 March 2025
(`childrens_home_places_2025`: 14,259 places, Children's social care in England 2025): an **rcc rule**
(`childrens_home_growth`) puts the added places in the 2023 private homes, one factor for all (84% of homes were
privately run in 2025, most new registrations private; the North West held 22% of places in both years).

`ofsted_providers.csv` **district_id**: in a county council, the lower-tier district of the provider's
2010 parliamentary constituency (Ofsted's "Parliamentary constituency" column): the district of the same
name, else rcc's best fit (the district holding most of the constituency, `CONSTITUENCY_DISTRICT` in
`scripts/supply_sources.py`); blank in one-district councils.
"""
