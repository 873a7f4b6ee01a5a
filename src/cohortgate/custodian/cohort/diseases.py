"""The 24 pediatric rare diseases of the synthetic cohort, most frequent first.

Orphanet codes and English names are those of the ontology index (HPO's ``phenotype.hpoa``);
the generator refuses to run if one of them drifts. Where Orphanet annotates causal genes only
on a subtype (phenylketonuria, hemophilia A, Pompe, MPS, Gaucher, Angelman ...), the subtype
that children present with is used, so that every variant names a gene the index lists for its
disease. Phenotypes are not listed here: each patient's come from the index's annotations.

SMA, Prader-Willi, Angelman and Williams are confirmed genetically by copy-number or
methylation tests (SMN1 deletion by MLPA, 15q11-q13 methylation, 7q11.23 microdeletion), which
leave no HGVS c. variant: their patients have no variant row. The index also lists no gene for
ORPHA:70.

ICD-10 codes are WHO ICD-10 (2019). Lab codes are LOINC; treatment codes are WHO ATC.
Inheritance: AR, AD, XLR, XLD, XL (X-linked, either sex affected), CN (copy number or
imprinting, no variant recorded).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Lab:
    loinc: str
    name: str
    unit: str
    median: float  # in affected children
    spread: float  # standard deviation of log(value)
    decimals: int


@dataclass(frozen=True)
class Treatment:
    name: str
    atc: str
    fraction: float  # of the disease's patients who receive it


@dataclass(frozen=True)
class DiseaseSpec:
    orpha: str
    name: str  # exactly the ontology index's name
    zh: str
    icd10: str
    inheritance: str
    male: float  # fraction of patients who are boys
    onset: tuple[int, int, int]  # months: (earliest, most common, latest)
    delay: float  # mean months from onset to diagnosis
    genes: tuple[tuple[str, float], ...] = ()  # causal genes with their share of variants
    labs: tuple[Lab, ...] = ()
    treatments: tuple[Treatment, ...] = ()
    growth: tuple[float, float] = (1.0, 1.0)  # height and weight relative to the median child
    biochemical: bool = False  # confirmable by a biochemical test when not genotyped


CK = Lab("2157-6", "Creatine kinase", "U/L", 12000, 0.5, 0)
PHE = Lab("14875-9", "Phenylalanine", "umol/L", 480, 0.5, 0)
HCY = Lab("13965-9", "Homocysteine", "umol/L", 60, 0.5, 1)
F8C = Lab("3209-4", "Coagulation factor VIII activity", "%", 0.5, 0.5, 1)
CP = Lab("2064-4", "Ceruloplasmin", "mg/dL", 8, 0.4, 1)
NH3 = Lab("16362-6", "Ammonia", "umol/L", 90, 0.6, 0)
PO4 = Lab("2777-1", "Phosphate", "mg/dL", 2.5, 0.15, 1)
PLT = Lab("777-3", "Platelets", "10*3/uL", 110, 0.3, 0)

CK_POMPE = Lab("2157-6", "Creatine kinase", "U/L", 900, 0.4, 0)
T = Treatment

DISEASES: tuple[DiseaseSpec, ...] = (
    DiseaseSpec(
        "ORPHA:98896",
        "Duchenne muscular dystrophy",
        "杜氏肌营养不良",
        icd10="G71.0",
        inheritance="XLR",
        male=0.99,
        onset=(18, 36, 72),
        delay=18,
        genes=(("DMD", 1.0),),
        labs=(CK,),
        treatments=(T("deflazacort", "H02AB13", 0.4), T("prednisone", "H02AB07", 0.4)),
    ),
    DiseaseSpec(
        "ORPHA:79254",
        "Classic phenylketonuria",
        "经典型苯丙酮尿症",
        icd10="E70.0",
        inheritance="AR",
        male=0.51,
        onset=(0, 0, 1),
        delay=0.5,
        genes=(("PAH", 1.0),),
        labs=(PHE,),
        treatments=(T("sapropterin", "A16AX07", 0.2),),
        biochemical=True,
    ),
    DiseaseSpec(
        "ORPHA:70",
        "Proximal spinal muscular atrophy",
        "脊髓性肌萎缩症",
        icd10="G12.1",
        inheritance="CN",
        male=0.52,
        onset=(0, 5, 48),
        delay=4,
        treatments=(
            T("nusinersen", "M09AX07", 0.45),
            T("risdiplam", "M09AX10", 0.25),
            T("onasemnogene abeparvovec", "M09AX09", 0.05),
        ),
    ),
    DiseaseSpec(
        "ORPHA:79282",
        "Methylmalonic acidemia with homocystinuria, type cblC",
        "甲基丙二酸血症合并同型半胱氨酸血症cblC型",
        icd10="E71.1",
        inheritance="AR",
        male=0.52,
        onset=(0, 2, 60),
        delay=3,
        genes=(("MMACHC", 1.0),),
        labs=(HCY,),
        treatments=(
            T("hydroxocobalamin", "B03BA03", 0.95),
            T("betaine", "A16AA06", 0.7),
            T("levocarnitine", "A16AA01", 0.6),
        ),
        biochemical=True,
    ),
    DiseaseSpec(
        "ORPHA:805",
        "Tuberous sclerosis complex",
        "结节性硬化症",
        icd10="Q85.1",
        inheritance="AD",
        male=0.52,
        onset=(0, 6, 60),
        delay=6,
        genes=(("TSC2", 0.7), ("TSC1", 0.3)),
        treatments=(T("everolimus", "L01EG02", 0.25), T("vigabatrin", "N03AG04", 0.35)),
    ),
    DiseaseSpec(
        "ORPHA:169802",
        "Severe hemophilia A",
        "重型血友病A",
        icd10="D66",
        inheritance="XLR",
        male=0.99,
        onset=(1, 9, 24),
        delay=3,
        genes=(("F8", 1.0),),
        labs=(F8C,),
        treatments=(T("coagulation factor VIII", "B02BD02", 0.8), T("emicizumab", "B02BX06", 0.3)),
        biochemical=True,
    ),
    DiseaseSpec(
        "ORPHA:33069",
        "Dravet syndrome",
        "Dravet综合征",
        icd10="G40.4",
        inheritance="AD",
        male=0.52,
        onset=(3, 6, 15),
        delay=12,
        genes=(("SCN1A", 0.94), ("SCN1B", 0.03), ("GABRA1", 0.03)),
        treatments=(
            T("valproic acid", "N03AG01", 0.8),
            T("stiripentol", "N03AX17", 0.4),
            T("clobazam", "N05BA09", 0.5),
        ),
    ),
    DiseaseSpec(
        "ORPHA:363700",
        "Neurofibromatosis type 1 due to NF1 mutation or intragenic deletion",
        "神经纤维瘤病1型",
        icd10="Q85.0",
        inheritance="AD",
        male=0.52,
        onset=(0, 12, 84),
        delay=12,
        genes=(("NF1", 1.0),),
        treatments=(T("selumetinib", "L01EE04", 0.1),),
    ),
    DiseaseSpec(
        "ORPHA:905",
        "Wilson disease",
        "肝豆状核变性",
        icd10="E83.0",
        inheritance="AR",
        male=0.55,
        onset=(36, 96, 180),
        delay=12,
        genes=(("ATP7B", 1.0),),
        labs=(CP,),
        treatments=(T("penicillamine", "M01CC01", 0.5), T("zinc acetate", "A16AX05", 0.6)),
        biochemical=True,
    ),
    DiseaseSpec(
        "ORPHA:739",
        "Prader-Willi syndrome",
        "普拉德-威利综合征",
        icd10="Q87.1",
        inheritance="CN",
        male=0.52,
        onset=(0, 0, 2),
        delay=3,
        treatments=(T("somatropin", "H01AC01", 0.6),),
        growth=(0.93, 1.3),
    ),
    DiseaseSpec(
        "ORPHA:778",
        "Rett syndrome",
        "Rett综合征",
        icd10="F84.2",
        inheritance="XLD",
        male=0.01,
        onset=(6, 15, 30),
        delay=12,
        genes=(("MECP2", 1.0),),
        treatments=(T("valproic acid", "N03AG01", 0.3),),
    ),
    DiseaseSpec(
        "ORPHA:648",
        "Noonan syndrome",
        "努南综合征",
        icd10="Q87.1",
        inheritance="AD",
        male=0.55,
        onset=(0, 1, 36),
        delay=18,
        genes=(
            ("PTPN11", 0.55),
            ("SOS1", 0.15),
            ("RAF1", 0.1),
            ("RIT1", 0.1),
            ("KRAS", 0.05),
            ("LZTR1", 0.05),
        ),
        treatments=(T("somatropin", "H01AC01", 0.3),),
        growth=(0.92, 0.9),
    ),
    DiseaseSpec(
        "ORPHA:15",
        "Achondroplasia",
        "软骨发育不全",
        icd10="Q77.4",
        inheritance="AD",
        male=0.5,
        onset=(0, 0, 6),
        delay=2,
        genes=(("FGFR3", 1.0),),
        growth=(0.78, 0.85),
    ),
    DiseaseSpec(
        "ORPHA:72",
        "Angelman syndrome",
        "天使综合征",
        icd10="Q93.5",
        inheritance="CN",
        male=0.5,
        onset=(3, 10, 24),
        delay=18,
        treatments=(T("valproic acid", "N03AG01", 0.5),),
    ),
    DiseaseSpec(
        "ORPHA:904",
        "Williams syndrome",
        "威廉姆斯综合征",
        icd10="Q93.8",
        inheritance="CN",
        male=0.5,
        onset=(0, 6, 36),
        delay=18,
        growth=(0.95, 0.92),
    ),
    DiseaseSpec(
        "ORPHA:664",
        "Ornithine transcarbamylase deficiency",
        "鸟氨酸氨甲酰转移酶缺乏症",
        icd10="E72.2",
        inheritance="XL",
        male=0.7,
        onset=(0, 1, 120),
        delay=3,
        genes=(("OTC", 1.0),),
        labs=(NH3,),
        treatments=(T("sodium phenylbutyrate", "A16AX03", 0.6),),
        biochemical=True,
    ),
    DiseaseSpec(
        "ORPHA:89936",
        "X-linked hypophosphatemia",
        "X连锁低磷血症",
        icd10="E83.3",
        inheritance="XLD",
        male=0.4,
        onset=(9, 18, 36),
        delay=12,
        genes=(("PHEX", 1.0),),
        labs=(PO4,),
        treatments=(T("burosumab", "M05BX05", 0.35), T("calcitriol", "A11CC04", 0.6)),
        growth=(0.9, 0.95),
        biochemical=True,
    ),
    DiseaseSpec(
        "ORPHA:217085",
        "Mucopolysaccharidosis type 2, severe form",
        "黏多糖贮积症II型（重型）",
        icd10="E76.1",
        inheritance="XLR",
        male=0.99,
        onset=(12, 24, 48),
        delay=18,
        genes=(("IDS", 1.0),),
        treatments=(T("idursulfase", "A16AB09", 0.6),),
        growth=(0.9, 1.0),
        biochemical=True,
    ),
    DiseaseSpec(
        "ORPHA:308552",
        "Glycogen storage disease due to acid maltase deficiency, infantile onset",
        "婴儿型庞贝病",
        icd10="E74.0",
        inheritance="AR",
        male=0.5,
        onset=(0, 2, 6),
        delay=2,
        genes=(("GAA", 1.0),),
        labs=(CK_POMPE,),
        treatments=(T("alglucosidase alfa", "A16AB07", 0.8),),
        biochemical=True,
    ),
    DiseaseSpec(
        "ORPHA:77259",
        "Gaucher disease type 1",
        "戈谢病1型",
        icd10="E75.2",
        inheritance="AR",
        male=0.5,
        onset=(12, 60, 168),
        delay=18,
        genes=(("GBA1", 1.0),),
        labs=(PLT,),
        treatments=(T("imiglucerase", "A16AB02", 0.75),),
        biochemical=True,
    ),
    DiseaseSpec(
        "ORPHA:324",
        "Fabry disease",
        "法布里病",
        icd10="E75.2",
        inheritance="XL",
        male=0.6,
        onset=(36, 96, 180),
        delay=36,
        genes=(("GLA", 1.0),),
        treatments=(T("agalsidase beta", "A16AB04", 0.5), T("migalastat", "A16AX14", 0.1)),
        biochemical=True,
    ),
    DiseaseSpec(
        "ORPHA:93473",
        "Hurler syndrome",
        "黏多糖贮积症IH型（Hurler综合征）",
        icd10="E76.0",
        inheritance="AR",
        male=0.5,
        onset=(3, 9, 24),
        delay=12,
        genes=(("IDUA", 1.0),),
        treatments=(T("laronidase", "A16AB05", 0.6),),
        growth=(0.85, 0.95),
        biochemical=True,
    ),
    DiseaseSpec(
        "ORPHA:79318",
        "PMM2-CDG",
        "PMM2先天性糖基化障碍",
        icd10="E77.8",
        inheritance="AR",
        male=0.5,
        onset=(0, 1, 12),
        delay=9,
        genes=(("PMM2", 1.0),),
        biochemical=True,
    ),
    DiseaseSpec(
        "ORPHA:35",
        "Propionic acidemia",
        "丙酸血症",
        icd10="E71.1",
        inheritance="AR",
        male=0.5,
        onset=(0, 1, 24),
        delay=2,
        genes=(("PCCA", 0.5), ("PCCB", 0.5)),
        labs=(NH3,),
        treatments=(T("carglumic acid", "A16AA05", 0.4), T("levocarnitine", "A16AA01", 0.8)),
        biochemical=True,
    ),
)
