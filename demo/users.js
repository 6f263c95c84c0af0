// SPDX-License-Identifier: GPL-3.0-or-later
// The demo site's members. Ids are the site's own user ids: OnAir scopes them by site.
export const users = [
    {
        id: '42', slug: 'anna', accent: '#d9480f',
        name: { en: 'Anna', ru: 'Анна' },
        // Russian genitive, for "Anna's page" = "Страница Анны"
        of: { en: "Anna's", ru: 'Анны' },
        city: { en: 'Kazan', ru: 'Казань' },
        about: {
            en: 'Pottery teacher. Goes live from the studio when the kiln is opened.',
            ru: 'Преподаю гончарное дело. Включаю эфир из мастерской, когда открываю печь.',
        },
    },
    {
        id: '17', slug: 'boris', accent: '#1c7ed6',
        name: { en: 'Boris', ru: 'Борис' },
        of: { en: "Boris's", ru: 'Бориса' },
        city: { en: 'Tver', ru: 'Тверь' },
        about: {
            en: 'Restores old bicycles and answers questions about gears.',
            ru: 'Реставрирую старые велосипеды и отвечаю на вопросы про передачи.',
        },
    },
    {
        id: '23', slug: 'vera', accent: '#2b8a3e',
        name: { en: 'Vera', ru: 'Вера' },
        of: { en: "Vera's", ru: 'Веры' },
        city: { en: 'Perm', ru: 'Пермь' },
        about: {
            en: 'Grows tomatoes on a balcony, nine floors up.',
            ru: 'Выращиваю помидоры на балконе девятого этажа.',
        },
    },
    {
        id: '31', slug: 'gleb', accent: '#7048e8',
        name: { en: 'Gleb', ru: 'Глеб' },
        of: { en: "Gleb's", ru: 'Глеба' },
        city: { en: 'Samara', ru: 'Самара' },
        about: {
            en: 'Plays the bayan in the courtyard on Sunday evenings.',
            ru: 'По воскресеньям вечером играю во дворе на баяне.',
        },
    },
];

export const findUser = (slugOrId) => users.find((u) => u.slug === slugOrId || u.id === slugOrId);
