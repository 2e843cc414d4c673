"""Hand-written conversations of the demo dataset: (system message or None, turns).

Turns alternate user, assistant. Short, correct answers in a consistent, friendly voice, so a
small model can learn the style in a few minutes of fine-tuning.
"""

from __future__ import annotations

CONCISE = "You are a concise assistant. Answer in a few sentences."
TEACHER = "You are a patient teacher who explains ideas step by step."
CHEF = "You are a friendly cooking assistant."

CONVERSATIONS: list[tuple[str | None, list[str]]] = [
    (
        None,
        [
            "How do I boil an egg so the yolk stays soft?",
            "Bring water to a gentle boil, lower the egg in with a spoon and cook it for 6 "
            "minutes. Then move it to cold water for a minute so it stops cooking and peels "
            "easily.",
            "And for a hard-boiled egg?",
            "Cook it for 10 to 11 minutes instead, then cool it in cold water the same way.",
        ],
    ),
    (
        CHEF,
        [
            "What can I cook with rice, eggs and frozen peas?",
            "Egg fried rice is a quick choice. Fry the cold cooked rice in a hot pan with a little "
            "oil, push it aside, scramble two eggs, then mix everything with the peas and a splash "
            "of soy sauce.",
            "Why should the rice be cold?",
            "Cold, day-old rice is drier, so the grains stay separate and fry instead of turning "
            "mushy.",
        ],
    ),
    (
        None,
        [
            "Why is the sky blue?",
            "Sunlight contains all colours. Air molecules scatter short blue wavelengths much more "
            "than long red ones, so blue light reaches your eyes from every part of the sky.",
            "Then why are sunsets red?",
            "At sunset light crosses much more air. Most of the blue is scattered away before it "
            "reaches you, so the remaining light looks orange and red.",
        ],
    ),
    (
        TEACHER,
        [
            "What is photosynthesis?",
            "Photosynthesis is how plants make food. Step 1: leaves absorb sunlight. Step 2: they "
            "take in carbon dioxide from the air and water from the roots. Step 3: they turn these "
            "into sugar and release oxygen.",
            "Where does it happen?",
            "In the chloroplasts, small structures inside leaf cells that contain the green "
            "pigment chlorophyll.",
        ],
    ),
    (
        None,
        [
            "Give me three tips for a good night's sleep.",
            "1. Go to bed and wake up at the same time every day.\n2. Keep the bedroom dark, quiet "
            "and cool.\n3. Avoid screens and caffeine in the hour before bed.",
        ],
    ),
    (
        CONCISE,
        [
            "What does CPU stand for?",
            "CPU stands for central processing unit, the chip that runs a computer's instructions.",
            "And GPU?",
            "Graphics processing unit: a chip with many small cores, built for graphics and now "
            "widely used to train neural networks.",
        ],
    ),
    (
        None,
        [
            "Can you explain what a neural network is in simple terms?",
            "A neural network is a function made of many layers of simple units. Each unit "
            "multiplies its inputs by weights, adds them up and applies a small non-linear step. "
            "Training adjusts the weights so the outputs match examples.",
            "What does fine-tuning mean then?",
            "Fine-tuning starts from a network that is already trained and continues training it "
            "on a smaller, specific dataset, so it adapts to a new task or style.",
            "Is LoRA a kind of fine-tuning?",
            "Yes. LoRA (low-rank adaptation) freezes the original weights and trains small extra "
            "matrices added to some layers, which needs much less memory.",
        ],
    ),
    (
        None,
        [
            "Write a haiku about autumn.",
            "Red leaves drift and fall,\ncool wind hums through empty trees,\n"
            "the year breathes out slow.",
            "Now one about winter, please.",
            "Snow hushes the street,\nbreath hangs white in morning air,\n"
            "the world holds still, bright.",
        ],
    ),
    (
        TEACHER,
        [
            "How do I find the area of a triangle?",
            "Multiply the base by the height and divide by two. For a base of 6 cm and a height of "
            "4 cm: 6 × 4 = 24, and 24 / 2 = 12, so the area is 12 cm².",
            "What if I only know the three sides?",
            "Use Heron's formula. Compute s = (a + b + c) / 2, then area = √(s(s−a)(s−b)(s−c)). "
            "For sides 3, 4 and 5: s = 6 and the area is √(6·3·2·1) = 6.",
        ],
    ),
    (
        None,
        [
            "What is the difference between weather and climate?",
            "Weather is what the atmosphere does on a given day: rain, sun, wind. Climate is the "
            "average of that weather over many years in a region.",
        ],
    ),
    (
        CONCISE,
        [
            "How many bones does an adult human have?",
            "An adult human has 206 bones.",
            "And a newborn baby?",
            "Around 270 to 300. Many of them fuse together as the child grows.",
        ],
    ),
    (
        None,
        [
            "I want to start running. How should I begin?",
            "Start with walk-run intervals: run for one minute, walk for two, and repeat eight "
            "times, three days a week. Add a little more running each week.",
            "How do I avoid getting injured?",
            "Increase your weekly distance slowly (about 10% a week), wear comfortable shoes, and "
            "take rest days. Sharp pain is a signal to stop.",
        ],
    ),
    (
        None,
        [
            "What is the water cycle?",
            "Water evaporates from seas and lakes, rises and cools into clouds (condensation), "
            "falls as rain or snow (precipitation), and flows back to the sea through rivers and "
            "the ground.",
        ],
    ),
    (
        CHEF,
        [
            "How do I make a simple tomato sauce?",
            "Soften a chopped onion and two cloves of garlic in olive oil, add a can of "
            "tomatoes, a pinch of salt, and simmer for 20 minutes. Finish with fresh basil.",
            "Can I freeze it?",
            "Yes. Cool it, then freeze it in portions for up to three months.",
        ],
    ),
    (
        None,
        [
            "Explain what a Git commit is.",
            "A commit is a saved snapshot of your project's files, with a message that says what "
            "changed and a pointer to the previous snapshot. Together the commits form the "
            "project's history.",
            "How do I undo the last commit but keep my changes?",
            "Run `git reset --soft HEAD~1`. The commit disappears, and its changes stay staged.",
        ],
    ),
    (
        TEACHER,
        [
            "Why do we have seasons?",
            "Because Earth's axis is tilted by about 23.5 degrees. Step 1: as Earth orbits "
            "the Sun, one hemisphere leans toward it. Step 2: that hemisphere gets more direct "
            "sunlight and longer days, so it has summer. Step 3: six months later it leans away "
            "and has winter.",
        ],
    ),
    (
        None,
        [
            "Suggest a name for a small bakery.",
            'How about "Golden Crust"? It sounds warm and tells people you bake bread.',
            "Something more playful?",
            '"Rise & Shine Bakery": a pun on dough rising and on the morning.',
        ],
    ),
    (
        CONCISE,
        [
            "What is the boiling point of water?",
            "100 °C (212 °F) at sea level. At higher altitudes it is lower because the air "
            "pressure is lower.",
        ],
    ),
    (
        None,
        [
            "How can I save money on groceries?",
            "Plan meals for the week, shop with a list, buy store brands, and cook larger batches "
            "to use leftovers. Checking what you already have before shopping also avoids waste.",
            "Any tips for fresh vegetables?",
            "Buy what is in season, store leafy greens wrapped in a paper towel, and freeze "
            "vegetables you won't use in time.",
        ],
    ),
    (
        None,
        [
            "What is an API?",
            "An API (application programming interface) is a defined way for programs to talk to "
            "each other: which requests you can send and what answers you get back.",
            "Give me an everyday example.",
            "A weather app asks a weather service's API for the forecast of your city and shows "
            "the answer it receives.",
        ],
    ),
    (
        TEACHER,
        [
            "What is a fraction?",
            "A fraction describes part of a whole. In 3/4, the bottom number (4) says the whole is "
            "cut into 4 equal parts and the top number (3) says we take 3 of them.",
            "How do I add 1/4 and 1/2?",
            "Give them the same denominator first: 1/2 = 2/4. Then add the tops: 1/4 + 2/4 = 3/4.",
        ],
    ),
    (
        None,
        [
            "Write a short thank-you note to a colleague who helped me with a report.",
            "Hi Sam, thank you for your help with the quarterly report. Your careful review of the "
            "numbers caught two mistakes and made the final version much clearer. I really "
            "appreciate it!",
        ],
    ),
    (
        None,
        [
            "Why do cats purr?",
            "Cats purr when they are relaxed and content, but also when stressed or hurt. "
            "Scientists think purring calms them, and its low vibration may even help healing.",
        ],
    ),
    (
        CONCISE,
        [
            "Who wrote Romeo and Juliet?",
            "William Shakespeare, around 1595.",
            "What else did he write?",
            "Among many others: Hamlet, Macbeth, Othello, King Lear and A Midsummer Night's Dream.",
        ],
    ),
    (
        None,
        [
            "What should I pack for a weekend hiking trip?",
            "Sturdy shoes, layers of clothing, a rain jacket, a map, water, snacks, sunscreen, a "
            "first-aid kit and a charged phone. For a night outside add a tent, sleeping bag and "
            "headlamp.",
            "How much water should I bring?",
            "Plan for about half a litre per hour of hiking, more in hot weather.",
        ],
    ),
]
