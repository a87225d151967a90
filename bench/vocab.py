"""Words the generated council is made of. The first entries of each name list are picked most
often (the generator skews its choice), so a few surnames are common and the rest a long tail,
as in a real borough."""

from __future__ import annotations

# fmt: off
FIRST_F = [
    "Sarah", "Emma", "Fatima", "Amira", "Grace", "Chloe", "Aisha", "Megan", "Priya", "Hannah",
    "Leah", "Ruth", "Zofia", "Olivia", "Jessica", "Laura", "Nadia", "Yasmin", "Claire", "Joanne",
    "Kelly", "Natalie", "Rebecca", "Samira", "Agnieszka", "Chantelle", "Deborah", "Esther",
    "Gemma", "Hayley", "Ifeoma", "Jasmine", "Karen", "Lucy", "Maryam", "Nicola", "Oksana",
    "Patricia", "Rachel", "Shanice", "Tanya", "Ursula", "Victoria", "Wendy", "Zainab", "Abigail",
    "Bethany", "Comfort", "Danielle", "Eilidh", "Farah", "Gulsen", "Halima", "Imani", "Janet",
]
FIRST_M = [
    "Daniel", "Mohammed", "James", "Tariq", "Owen", "Marek", "Kwame", "Liam", "Ibrahim",
    "Callum", "Ravi", "Joel", "David", "Michael", "Adam", "Bilal", "Craig", "Darren", "Emeka",
    "Faisal", "Gareth", "Harry", "Imran", "Jamal", "Kieran", "Lewis", "Mark", "Nathan", "Oliver",
    "Piotr", "Rashid", "Stephen", "Thomas", "Usman", "Vikram", "Wayne", "Yusuf", "Zack", "Aaron",
    "Brandon", "Connor", "Dominic", "Ethan", "Femi", "George", "Hassan", "Isaac", "Jordan",
    "Kofi", "Luke", "Matthew", "Neil", "Patrick", "Reece", "Simon",
]
KIDS_F = [
    "Maya", "Isla", "Noor", "Ava", "Lily", "Esme", "Ruby", "Zara", "Amelia", "Freya", "Hafsa",
    "Ivy", "Layla", "Mia", "Nia", "Poppy", "Sienna", "Willow", "Aria", "Evie", "Hana", "Iman",
]
KIDS_M = [
    "Leo", "Yusuf", "Alfie", "Kai", "Theo", "Finn", "Omar", "Jack", "Noah", "Arlo", "Musa",
    "Oscar", "Reggie", "Tommy", "Zayn", "Ayaan", "Elijah", "Harvey", "Idris", "Jude", "Louie",
]
SURNAMES = [
    "Khan", "Smith", "Jones", "Ahmed", "Begum", "Taylor", "Brown", "Williams", "Hussain", "Ali",
    "Evans", "Davies", "Wilson", "Patel", "Campbell", "Clarke", "Walsh", "Nowak", "Mensah",
    "Hughes", "O'Connor", "Sharma", "Kowalski", "Morgan", "Osei", "Reid", "Lewis", "Rahman",
    "Fraser", "Brennan", "Thompson", "White", "Roberts", "Walker", "Wright", "Robinson", "Wood",
    "Thomas", "Johnson", "Green", "Hall", "Martin", "Jackson", "Harris", "Cooper", "Ward",
    "Turner", "King", "Baker", "Mitchell", "Phillips", "Edwards", "Hill", "Moore", "Scott",
    "Adams", "Collins", "Stewart", "Murphy", "Kelly", "Bell", "Shaw", "Chapman", "Bennett",
    "Owusu", "Adeyemi", "Okafor", "Mahmood", "Iqbal", "Mistry", "Chowdhury", "Uddin", "Miah",
    "Kaur", "Singh", "Gill", "Sandhu", "Wiśniewski", "Lewandowski", "Popescu", "Ionescu",
    "Silva", "Santos", "Pereira", "Costa", "Yilmaz", "Demir", "Kaya", "Nguyen", "Tran", "Chen",
    "Wang", "Li", "Zhang", "Asante", "Boateng", "Appiah", "Abdi", "Farah", "Mohamud", "Haji",
    "Gallagher", "Doherty", "McCarthy", "Byrne", "Quinn", "Lynch", "Duffy", "Kennedy", "Burke",
    "Price", "Powell", "Griffiths", "Rees", "Jenkins", "Morris", "Hopkins", "Lloyd", "Parry",
    "Holmes", "Knight", "Lawrence", "Fox", "Marsh", "Berry", "Fletcher", "Hunt", "Ross",
    "Sutherland", "Lindqvist", "Petrov", "Novak", "Horvat", "Kovacs", "Nagy", "Olsen", "Berg",
    "Zielinski", "Dąbrowski", "Mazur", "Rossi", "Russo", "Esposito", "Müller", "Schmidt",
]
# The long tail: half of all surnames and adult first names are put together from these parts
# (3,240 surnames, 600 first names each), so that, as in a real borough of this size, most
# people share their full name with a few dozen others, not with hundreds.
SURNAME_STEMS = [
    "Ash", "Black", "Brad", "Brook", "Bur", "Cal", "Car", "Chad", "Clay", "Cole", "Cran", "Dal",
    "Dun", "East", "Elm", "Fair", "Farn", "Fen", "Fal", "Gar", "Glad", "Glen", "Gold", "Gran",
    "Green", "Hal", "Ham", "Hart", "Hay", "Heath", "Hol", "Horn", "Hun", "Kel", "Kings", "Lang",
    "Lea", "Lind", "Lock", "Long", "Mar", "Mid", "Mill", "Moor", "Nor", "Oak", "Pem", "Pen",
    "Pres", "Rad", "Red", "Ridge", "Rook", "Ros", "Rush", "Sal", "Sand", "Shel", "Stan", "Stock",
    "Stone", "Sud", "Sut", "Thorn", "Til", "Trent", "Wal", "War", "Wel", "West", "Whit", "Wil",
    "Win", "Wyn", "Yar", "Bel", "Cam", "Dray", "Eld", "Har", "Lid", "Mab", "Ned", "Ock", "Pad",
    "Quen", "Ral", "Sher", "Ted", "Ux",
]
SURNAME_ENDS = [
    "ley", "ton", "well", "wood", "ford", "by", "ham", "field", "more", "croft", "shaw", "worth",
    "bridge", "combe", "dale", "den", "hurst", "ridge", "stead", "wick", "ington", "mere", "bury",
    "cott", "gate", "hill", "holm", "land", "lowe", "over", "sby", "thorpe", "ville", "wright",
    "ward", "man",
]
FIRST_STARTS = [
    "Al", "Ar", "Be", "Bre", "Ca", "Da", "De", "El", "Fa", "Ga", "Ha", "Is", "Ja", "Ka", "Ke",
    "La", "Le", "Ma", "Mi", "Na", "Ni", "Ra", "Re", "Sa", "Se", "Ta", "Te", "Va", "Za", "Ro",
]
FIRST_ENDS_F = [
    "na", "ra", "la", "lie", "nia", "ssa", "ya", "rin", "lyn", "ette", "ina", "ika", "dra", "dia",
    "ria", "zel", "nda", "sha", "tte", "lia",
]
FIRST_ENDS_M = [
    "n", "ron", "son", "vin", "mar", "rik", "dan", "lan", "mon", "vid", "shan", "rell", "nan",
    "tan", "van", "mi", "ro", "fan", "dre", "rus",
]
STREETS = [
    "Mill Lane", "Station Road", "Chapel Street", "Orchard Close", "Victoria Terrace",
    "Canal Walk", "Beech Avenue", "Market Row", "Willow Crescent", "High Street", "Church Lane",
    "Park Road", "Queens Road", "Albert Street", "Granby Street", "Hawthorn Drive", "Kiln Way",
    "Linden Grove", "Moorland View", "Nelson Street", "Oak Tree Road", "Poplar Walk",
    "Railway Cottages", "Sandpit Lane", "Tannery Yard", "Union Street", "Weavers Row",
    "Wharf Road", "York Place", "Ashfield Avenue", "Brook Street", "Coronation Road",
]
COURTS = [
    "Foundry Court", "Riverside House", "Tower View", "Maple Court", "Beacon House",
    "Kingfisher Court", "Priory Mews", "Sovereign House",
]
TOWNS = ["Northbridge"] * 12 + ["Eastmoor", "Kilnhurst", "Westfold", "Ashby Green"]
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
# fmt: on

TEAMS_WITH_CASES = [
    "Housing Options North",
    "Housing Options South",
    "Housing Register",
    "Homelessness Prevention",
    "Rough Sleeper Outreach",
    "Temporary Accommodation",
    "Allocations",
    "Tenancy Sustainment",
    "Private Sector Lettings",
]
TEAMS_WITHOUT_CASES = ["Customer Services", "Contact Centre", "Systems and Data"]

CASE_SUMMARIES = [
    "Overcrowded in a one-bedroom flat.",
    "Private tenancy ending; notice served by the landlord.",
    "Living with relatives; asked to leave by the end of the month.",
    "Medical priority requested: stairs are a problem.",
    "Moving on from supported accommodation.",
    "Temporary accommodation since the spring.",
    "Under-occupying a council house; wants to downsize.",
    "Fleeing domestic abuse; placed out of borough.",
]
OTHER_DETAILS = [
    "I have started a new job, 30 hours a week.",
    "My universal credit payment has changed.",
    "The damp in the children's bedroom is worse since the winter.",
    "My doctor says I should not use stairs after the operation.",
    "I have been given notice by my landlord.",
    "My son has been diagnosed with autism and needs his own room.",
    "I now receive personal independence payment.",
    "My partner's hours have been cut.",
]
REJECT_REASONS = [
    "We need a letter from your landlord confirming the date you moved.",
    "We could not match this person to the household on your case.",
    "Please send the MATB1 form or a letter from your midwife.",
    "This was already recorded on your case.",
]
REFERRAL_REASONS = [
    "Family have asked them to leave; staying with friends for now.",
    "Due to be released next month with no address to go to.",
    "Cannot return home after discharge because of the stairs.",
    "Landlord is selling the property; notice ends soon.",
    "Sleeping in a car since the relationship ended.",
]
ORGANISATIONS = [
    ("prison", "HMP Northbridge"),
    ("probation", "Northbridge Probation Service"),
    ("hospital_inpatient", "Northbridge General Hospital"),
    ("emergency_department", "Northbridge General Hospital A&E"),
    ("jobcentre_plus", "Northbridge Jobcentre Plus"),
    ("social_services", "Northbridge Adult Social Care"),
    ("youth_offending_team", "Northbridge Youth Justice Service"),
    ("other", "Northbridge Citizens Advice"),
]
